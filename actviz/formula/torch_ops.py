"""The torch functions a lowered formula may call, with the source that names each."""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: key -> (callable, how generated code writes it)
TORCH_CALLS = {
    "exp": (torch.exp, "torch.exp"),
    "log": (torch.log, "torch.log"),
    "log1p": (torch.log1p, "torch.log1p"),
    "sqrt": (torch.sqrt, "torch.sqrt"),
    "sin": (torch.sin, "torch.sin"),
    "cos": (torch.cos, "torch.cos"),
    "tan": (torch.tan, "torch.tan"),
    "tanh": (torch.tanh, "torch.tanh"),
    "sinh": (torch.sinh, "torch.sinh"),
    "cosh": (torch.cosh, "torch.cosh"),
    "atan": (torch.atan, "torch.atan"),
    "erf": (torch.erf, "torch.erf"),
    "sigmoid": (torch.sigmoid, "torch.sigmoid"),
    "softplus": (F.softplus, "torch.nn.functional.softplus"),
    "relu": (torch.relu, "torch.relu"),
    "abs": (torch.abs, "torch.abs"),
    "sign": (torch.sign, "torch.sign"),
}
