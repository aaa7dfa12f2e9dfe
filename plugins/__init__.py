"""The built-in activation, task and lesson plugins of actviz.

Each module here is an ordinary plugin: the host loads this folder exactly like
any user plugin folder. Installed, the folder is the ``actviz_builtins`` package.
"""
