"""scaffolder: generate and lint Tencent CloudBase Run services."""

__version__ = "0.1.0"
