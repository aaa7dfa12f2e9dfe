"""The Qt front end. Only modules in this package may import PySide6 or pyqtgraph."""
