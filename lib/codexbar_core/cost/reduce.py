"""Turn a file's token events into counted deltas ("rows"), exactly as
docs/reference/cost-rules.md, "Deltas" and "Forks, subagents and copies", describe.

Token events carry cumulative totals (`total_token_usage`, T) and/or the last request's usage
(`last_token_usage`, L). The reducer keeps the counted cumulative, the raw baseline, a watermark
and the last 64 distinct totals, so repeated snapshots, divergent totals, `last`-only events and
interleaved counters are each counted once. Its state is a short list, saved with the file's byte
offset so a grown file resumes exactly where the last scan stopped. The saved state keeps only the
newest of the distinct totals (the rest are counted, not kept) while the counters do not interleave:
a resumed file whose new events ask about an older one raises NeedsHistory and is read again from the start (docs/design/cost-engine.md,
"Records").

A row is `[raw model, turn id, row index, timestamp ms, input, cached, output, reasoning]`.
"""

from __future__ import annotations

from codexbar_core.cost.line_rules import CLEAR, K_IAC, K_META, K_TASK, K_TOKEN, K_TURN, KEEP, Meta

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~2 ms of every `codexbar cost`
if TYPE_CHECKING:
    from typing import Any

SEEN_LIMIT = 64
SAME = 1  # in a saved state: "the same vector as the one before it" (raw = counted, watermark = raw)


class NeedsHistory(Exception):
    """A resumed reducer was asked about a total it did not keep: read the file from the start."""
Vec = tuple[int, int, int, int]  # input (incl. cached), cached, output (incl. reasoning), reasoning
ZERO: Vec = (0, 0, 0, 0)


def _sub_floor(a: Vec, b: Vec) -> Vec:
    return (max(0, a[0] - b[0]), max(0, a[1] - b[1]), max(0, a[2] - b[2]), max(0, a[3] - b[3]))


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def _vmax(a: Vec, b: Vec) -> Vec:
    return (max(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _vmin(a: Vec, b: Vec) -> Vec:
    return (min(a[0], b[0]), min(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _contained(base: Vec | None, counted: Vec, x: Vec) -> Vec:
    w = base or ZERO
    return tuple(max(0, x[k] - max(w[k], counted[k])) if x[k] >= w[k] else max(0, x[k] - counted[k])
                 for k in range(4))  # type: ignore[return-value]


def _divergent(base: Vec | None, counted: Vec, x: Vec) -> Vec:
    w = base or ZERO
    return tuple(x[k] - w[k] if x[k] >= w[k] else max(0, x[k] - counted[k])
                 for k in range(4))  # type: ignore[return-value]


class Reducer:
    """Per-file delta state machine. `inherited` switches on fork accounting (totals only)."""

    __slots__ = ("counted", "raw", "divergent", "watermark", "seen", "interleaved", "model", "turn", "index",
                 "rows", "inherited", "budget", "rebase", "hidden")

    def __init__(self, state: list[Any] | None = None, inherited: Vec | None = None) -> None:
        self.counted: Vec | None = None
        self.raw: Vec | None = None
        self.divergent = False
        self.watermark: Vec | None = None
        self.seen: dict[tuple[int, int, int], None] = {}
        self.interleaved = False
        self.model: str | None = None
        self.turn: str | None = None
        self.index = 0
        self.rows: list[list[Any]] = []
        self.inherited = inherited
        self.budget = inherited
        self.rebase = False  # the next total starts a copied history (late fork metadata, see late_fork)
        # Distinct totals counted in `seen`'s limit but not kept (a resumed state keeps only the newest):
        # every one of them is <= the watermark, so a total that could be one of them raises NeedsHistory.
        self.hidden = 0
        if state:
            (counted, raw, self.divergent, watermark, kept, self.hidden, self.interleaved, self.model,
             self.turn, self.index, self.rebase) = state
            self.counted = tuple(counted) if counted else None  # type: ignore[assignment]
            self.raw = self.counted if raw == SAME else tuple(raw) if raw else None  # type: ignore[assignment]
            self.watermark = (self.raw if watermark == SAME  # type: ignore[assignment]
                              else tuple(watermark) if watermark else None)
            wm3 = self.watermark[:3] if self.watermark else None
            self.seen = {(wm3 if t == SAME else tuple(t)): None for t in kept}  # type: ignore[misc]

    def state(self) -> list[Any]:
        """The resume state: cumulative vectors (a repeat of the one before as SAME), the distinct totals
        kept (only the newest, unless the counters interleave: then totals below the watermark are
        expected and all are kept) and how many older ones are counted but not kept."""
        counted, raw, watermark = self.counted, self.raw, self.watermark
        seen = list(self.seen) if self.interleaved else list(self.seen)[-1:]
        wm3 = watermark[:3] if watermark is not None else None
        kept = [SAME if t == wm3 else list(t) for t in seen]
        return [counted, SAME if raw is not None and raw == counted else raw, self.divergent,
                SAME if watermark is not None and watermark == raw else watermark, kept,
                self.hidden + len(self.seen) - len(seen), self.interleaved, self.model, self.turn, self.index,
                self.rebase]

    def _forget_oldest(self) -> None:
        """Keep `seen` to SEEN_LIMIT distinct totals, the ones not kept first."""
        if self.hidden:
            self.hidden -= 1
        else:
            seen = self.seen
            del seen[next(iter(seen))]

    def _unknown(self, key: tuple[int, int, int]) -> bool:
        """Whether `key` (not among the kept totals) might be one of the hidden ones: those are all <= the
        watermark, so only a total not above it everywhere, or equal to it, might."""
        wm = self.watermark
        return bool(self.hidden) and (wm is None or key[0] < wm[0] or key[1] < wm[1] or key[2] < wm[2]
                                      or key == wm[:3])

    def seed(self, baseline: Vec) -> None:
        """Start as if `baseline` had already been counted (subagent owned suffix)."""
        self.counted = self.raw = self.watermark = baseline
        self.seen = {baseline[:3]: None}  # type: ignore[dict-item]
        self.hidden = 0

    def late_fork(self) -> None:
        """The session's own `session_meta` names a parent only now, after usage was counted: what was
        counted stays, and the totals that follow carry a copied history that is not this session's.
        The next total becomes the new baseline; only growth beyond it counts (`last`-only events
        until then are part of the copy). docs/decisions/cost-conformance.md"""
        self.rebase = True

    # -- events -------------------------------------------------------------------------------

    def turn_context(self, model: str | None, turn: str | None = None) -> None:
        if turn:
            self.turn = turn
        if model is KEEP:
            return
        self.model = None if model == CLEAR else model

    def token(self, ts: int, total: Vec | None, last: Vec | None, event_model: str | None,
              event_turn: str | None) -> None:
        if self.rebase:
            if total is not None:
                self.rebase = False
                self.raw = self.watermark = total
                self.seen = {total[:3]: None}  # type: ignore[dict-item]
                self.hidden = 0
                self.interleaved = False
                self.divergent = self.counted is None or total[:3] != self.counted[:3]
            return
        if (total is not None and last is not None and self.watermark is not None and self.inherited is None
                and not self.interleaved and not self.divergent):
            # The common case, inlined: a plain file whose totals grow by at most `last` each time.
            # It computes exactly what the general path below does for it (delta = total - base).
            t0, t1, t2, t3 = total
            w0, w1, w2, w3 = self.watermark
            if t0 >= w0 and t1 >= w1 and t2 >= w2:
                seen = self.seen
                key = (t0, t1, t2)
                if key in seen:
                    return  # the same snapshot written again (#1062)
                if self.hidden and key == (w0, w1, w2):
                    raise NeedsHistory
                d0, d1, d2 = t0 - w0, t1 - w1, t2 - w2
                if d0 <= last[0] and d1 <= last[1] and d2 <= last[2]:
                    d3 = t3 - w3 if t3 > w3 else 0
                    c = self.counted or ZERO
                    counted = (c[0] + d0, c[1] + d1, c[2] + d2, c[3] + d3)
                    self.counted = counted
                    self.raw = total
                    if t0 != counted[0] or t1 != counted[1] or t2 != counted[2]:
                        self.divergent = True
                    self.watermark = (t0, t1, t2, t3 if t3 > w3 else w3)
                    seen[key] = None
                    if len(seen) + self.hidden > SEEN_LIMIT:
                        self._forget_oldest()
                    if d0 or d1 or d2:
                        self.rows.append([self.model or event_model, event_turn or self.turn, self.index, ts,
                                          d0, d1, d2, d3 if d3 <= d2 else d2])
                        self.index += 1
                    return
        self.token_general(ts, total, last, event_model, event_turn)

    def token_general(self, ts: int, total: Vec | None, last: Vec | None, event_model: str | None,
                      event_turn: str | None) -> None:
        """docs/reference/cost-rules.md, "Deltas", for every case (the reference the inlined common case above must match)."""
        fork = self.inherited is not None
        if fork and total is not None:
            total = _sub_floor(total, self.inherited)  # type: ignore[arg-type]
        counted = self.counted or ZERO
        base: Vec | None = None
        if total is not None:
            key = total[:3]
            if key in self.seen:
                return  # the same snapshot written again (#1062)
            if self.hidden and self._unknown(key):  # type: ignore[arg-type]
                raise NeedsHistory
            wm = self.watermark
            if wm is not None and (total[0] < wm[0] or total[1] < wm[1] or total[2] < wm[2]):
                self.interleaved = True
            base = wm if wm is not None else self.raw
        if last is not None and total is not None and not (fork and not self.interleaved):
            if self.interleaved:
                delta = _vmin(last, _contained(base, counted, total))
            elif (not self.divergent and base is not None and total[0] >= base[0] and total[1] >= base[1]
                  and total[2] >= base[2] and total[0] - base[0] <= last[0] and total[1] - base[1] <= last[1]
                  and total[2] - base[2] <= last[2]):
                delta = _sub_floor(total, base)
            else:
                delta = last
            self._commit_total(delta, counted, total)
        elif total is not None:
            if self.interleaved:
                delta = _contained(base, counted, total)
            elif self.divergent:
                delta = _divergent(base, counted, total)
            else:
                delta = _sub_floor(total, base or ZERO)
            self._commit_total(delta, counted, total)
        elif last is not None:
            delta = last
            if self.budget is not None:  # a fork's `last`-only events first use up the copied part
                delta = _sub_floor(last, self.budget)
                self.budget = _sub_floor(self.budget, last)
            counted = add(counted, delta)
            self.counted = self.raw = counted
            self.watermark = counted if self.watermark is None else _vmax(self.watermark, counted)
        else:
            return
        self._row(ts, delta, event_model, event_turn)

    def _commit_total(self, delta: Vec, counted: Vec, total: Vec) -> None:
        counted = add(counted, delta)
        self.counted = counted
        self.raw = total
        if total[:3] != counted[:3]:
            self.divergent = True
        self.watermark = total if self.watermark is None else _vmax(self.watermark, total)
        seen = self.seen
        seen[total[:3]] = None  # type: ignore[index]
        if len(seen) + self.hidden > SEEN_LIMIT:
            self._forget_oldest()

    def _row(self, ts: int, delta: Vec, event_model: str | None, event_turn: str | None) -> None:
        if not (delta[0] or delta[1] or delta[2]):
            return
        reasoning = min(max(delta[3], 0), delta[2])
        model = self.model or event_model
        self.rows.append([model, event_turn or self.turn, self.index, ts, delta[0], delta[1], delta[2], reasoning])
        self.index += 1


def feed(reducer: Reducer, events: list[tuple[Any, ...]], leaf: str | None = None) -> None:
    """Run a plain (non-fork, non-subagent) file's events through the reducer. `leaf`: the file's own
    session id; a later session_meta of that id naming a parent is late fork metadata."""
    token = reducer.token
    turn_context = reducer.turn_context
    for ev in events:
        kind = ev[0]
        if kind == K_TOKEN:
            token(ev[3], ev[4], ev[5], ev[6], ev[7])
        elif kind == K_TURN:
            turn_context(ev[3], ev[5])
        elif kind == K_TASK:
            reducer.turn = ev[3]  # the turn the next token events belong to
        elif kind == K_META and leaf is not None and ev[3].session_id == leaf and (
                ev[3].parent_id or ev[3].subagent):
            reducer.late_fork()


def leaf_meta(events: list[tuple[Any, ...]]) -> Meta | None:
    for ev in events:
        if ev[0] == K_META:
            return ev[3]
    return None


def file_kind(meta: Meta | None) -> str:
    """plain: counted on its own; fork / subagent: needs the classification below."""
    if meta is None:
        return "plain"
    if meta.subagent:
        return "subagent"
    if meta.parent_id:
        return "fork"
    return "plain"


def inherited_at(parent_rows: list[list[Any]], fork_ts: int) -> Vec:
    """The parent's counted totals after its last row at or before the fork time."""
    total = ZERO
    cut = -1
    for i, row in enumerate(parent_rows):
        if row[3] <= fork_ts:
            cut = i
    for row in parent_rows[:cut + 1]:
        total = add(total, (row[4], row[5], row[6], row[7]))
    return total


def reduce_fork(events: list[tuple[Any, ...]], inherited: Vec) -> list[list[Any]]:
    reducer = Reducer(inherited=inherited)
    feed(reducer, events)
    return reducer.rows


class SubagentPlan:
    """How a subagent rollout is counted: from an owned-suffix boundary, as a fork, fully, or not at all."""

    def __init__(self, events: list[tuple[Any, ...]], meta: Meta) -> None:
        self.meta = meta
        leaf = meta.session_id
        metas = [i for i, ev in enumerate(events) if ev[0] == K_META]
        ancestors = [i for i in metas[1:] if events[i][3].session_id and events[i][3].session_id != leaf]
        self.has_ancestors = bool(ancestors)
        after = ancestors[-1] if ancestors else -1
        self.boundary = self._boundary(events, after, meta.history_start_ordinal)
        self.baseline: Vec | None = None
        self.confirmed = False
        self.restarted = False
        if self.boundary is not None:
            baseline = None
            for ev in events[:self.boundary]:
                if ev[0] == K_TOKEN and ev[4] is not None:
                    baseline = ev[4]
            self.baseline = baseline
            first = next((ev for ev in events[self.boundary:] if ev[0] == K_TOKEN), None)
            if first is not None and first[4] is not None and first[5] is not None and baseline is not None:
                total, last = first[4], first[5]
                if total[:3] == last[:3] and any(total[k] < baseline[k] for k in range(3)):
                    self.restarted = True
                elif tuple(total[k] - last[k] for k in range(3)) == baseline[:3]:
                    self.confirmed = True

    @staticmethod
    def _boundary(events: list[tuple[Any, ...]], after: int, start_ordinal: int | None) -> int | None:
        for i in range(after + 1, len(events) - 1):
            ev, nxt = events[i], events[i + 1]
            if ev[0] == K_TURN and nxt[0] == K_IAC and nxt[3] and nxt[1] == ev[2] + 1:
                return i
        if start_ordinal is not None:
            for i in range(after + 1, len(events)):
                ev = events[i]
                ordinal = ev[4] if ev[0] == K_TURN else ev[8] if ev[0] == K_TOKEN else None
                if ordinal is not None and ordinal >= start_ordinal:
                    return i
        return None

    def owned_rows(self, events: list[tuple[Any, ...]]) -> list[list[Any]]:
        """Rows of the owned suffix, counted against the baseline copied before it."""
        reducer = Reducer()
        assert self.boundary is not None
        for ev in events[:self.boundary]:  # the model (and turn) in force at the boundary still apply
            if ev[0] == K_TURN:
                reducer.turn_context(ev[3], ev[5])
            elif ev[0] == K_TASK:
                reducer.turn = ev[3]
        if self.baseline is not None and not self.restarted:
            reducer.seed(self.baseline)
        feed(reducer, events[self.boundary:])
        return reducer.rows


def reduce_subagent(events: list[tuple[Any, ...]], meta: Meta,
                    parent_snapshot: Vec | None) -> tuple[list[list[Any]], bool]:
    """(rows, resolved). `parent_snapshot` is the parent's counted totals at the fork time, if known."""
    plan = SubagentPlan(events, meta)
    if plan.boundary is not None:
        confirmed_by_parent = (parent_snapshot is not None and plan.baseline is not None
                               and parent_snapshot[:3] == plan.baseline[:3])
        if plan.has_ancestors or plan.confirmed or plan.restarted or confirmed_by_parent:
            return plan.owned_rows(events), True
    if plan.has_ancestors:
        if parent_snapshot is None:
            return [], False  # a copied history we cannot separate from the child's own work
        return reduce_fork(events, parent_snapshot), True
    # An independent counter: everything in it is the subagent's own, counted by its totals (its first
    # `last` may be smaller than its first total; the totals are what it used). docs/decisions/cost-conformance.md
    return reduce_fork(events, ZERO), True
