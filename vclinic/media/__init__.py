"""The media plane: aiortc worker processes forwarding RTP, and the trio client driving them."""
