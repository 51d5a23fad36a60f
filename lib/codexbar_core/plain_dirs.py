"""Old name of warm_paths.py, kept only for cost/quick.py until the cost reshape imports warm_paths."""

from codexbar_core.warm_paths import CACHE_VARS, CONFIG_VARS, cache_dir, config_dir, write_owner_only

__all__ = ["CACHE_VARS", "CONFIG_VARS", "cache_dir", "config_dir", "write_owner_only"]
