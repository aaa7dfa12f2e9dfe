"""Every hook a plugin can implement, in one place.

Hook names start with ``actviz_``; implementations are marked with
``actviz.hookimpl``. Each hook returns a list; the host calls every
implementation separately so one broken plugin cannot hide the others.
"""

from __future__ import annotations

from .api import hookspec


@hookspec
def actviz_activations() -> list:
    """Return the activation functions this plugin provides.

    :return: a list of :class:`actviz.Activation`. Each is validated on load
        (finite output, right shape, declared derivative against autograd);
        one that fails is listed with its error and left out.
    """


@hookspec
def actviz_tasks() -> list:
    """Return toy tasks (datasets with a loss and a metric) for the race engine.

    :return: a list of :class:`actviz.Task`.
    """


@hookspec
def actviz_lessons() -> list:
    """Return lessons: a claim about activations, an experiment and a check.

    :return: a list of :class:`actviz.Lesson`.
    """


@hookspec
def actviz_architectures() -> list:
    """Return network architectures a race can train (beside the built-in MLP).

    :return: a list of :class:`actviz.Architecture`: options, the units at each place
        the raced activation sits, one model's initial weights, and a forward pass over
        all models of a race at once (see docs/plugin-guide.md, "Architectures").
    """
