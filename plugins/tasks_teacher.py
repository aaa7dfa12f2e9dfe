"""Teacher tasks: regression on a random 4-8-8-1 network with a known activation.

A search (``actviz search``) can be checked on them, because the answer is known: a
student with the teacher's activation (up to an affine change) fits the data exactly.
Each data seed draws a fresh teacher. Registered like any task, so they race in
``actviz train``, the Playground and searches by name; ``teacher:SPEC`` (an activation or
any formula) builds others on the fly in ``actviz search``.
"""

from __future__ import annotations

from actviz import hookimpl
from actviz.discovery.teacher import teacher_task

#: task name -> the teacher's activation, as a formula the grammar of the search can write
TEACHERS = {
    "teacher_swish": "x*sigmoid(x)",
    "teacher_tanh": "tanh(x)",
    "teacher_relu": "max(x, 0)",
    "teacher_sine": "sin(x)",
}


@hookimpl
def actviz_tasks():
    tasks = []
    for name, formula in TEACHERS.items():
        task = teacher_task(f"teacher:{formula}", lazy=True)  # compiled on first use
        task.name = name
        task.description = (
            f"Teacher: regression on a random 4-8-8-1 network with activation {formula} "
            "(a fresh teacher per data seed): a search's answer is known."
        )
        tasks.append(task)
    return tasks
