"""The media worker process: plain asyncio and aiortc; only ever imported inside that process."""
