"""The reflection models a person can choose, and the prompts of each.

`Activity.reflection` holds {prompt key: text} for the chosen model. The keys below are
stored, so they must never change; the labels and hints are free to improve (a model's own label
is on ReflectionModel).
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.models import ReflectionModel

MAX_ANSWER_LENGTH = 10_000


@dataclass(frozen=True)
class Prompt:
    key: str
    label: str
    hint: str


@dataclass(frozen=True)
class Model:
    model: ReflectionModel
    hint: str
    prompts: tuple[Prompt, ...]

    @property
    def label(self) -> str:
        return self.model.label


MODELS: dict[ReflectionModel, Model] = {
    ReflectionModel.WHAT_SO_WHAT: Model(
        ReflectionModel.WHAT_SO_WHAT,
        "Three short questions. Quick to use after a busy shift.",
        (
            Prompt("what", "What?", "What happened, and what part did you play? Leave out anything that could identify a patient."),
            Prompt("so_what", "So what?", "Why did it matter? What did you learn about the way you communicate?"),
            Prompt("now_what", "Now what?", "What will you do differently next time, and how will you know it is working?"),
        ),
    ),
    ReflectionModel.GIBBS: Model(
        ReflectionModel.GIBBS,
        "Six stages, for a fuller reflection on something that made you think.",
        (
            Prompt("description", "Description", "What happened? Keep to the facts and leave out anything that could identify a patient."),
            Prompt("feelings", "Feelings", "What were you thinking and feeling at the time?"),
            Prompt("evaluation", "Evaluation", "What went well, and what went less well?"),
            Prompt("analysis", "Analysis", "Why do you think it went the way it did? What helped or got in the way?"),
            Prompt("conclusion", "Conclusion", "What else could you have done? What have you learned?"),
            Prompt("action_plan", "Action plan", "What will you do if something like this happens again?"),
        ),
    ),
    ReflectionModel.REVALIDATION: Model(
        ReflectionModel.REVALIDATION,
        "The four questions of a professional revalidation reflective account, ready to copy into it.",
        (
            Prompt("activity", "What was the activity?", "For example an observed conversation with feedback, a course, or feedback from a patient or colleague."),
            Prompt("learning", "What did you learn from it?", "The main thing you learned about how you communicate."),
            Prompt("practice", "How did you change or improve your practice as a result?", "What you now do differently, or plan to."),
            Prompt("code", "How is this relevant to your professional code?", "For example the NMC Code themes: prioritise people, practise effectively, preserve safety, promote professionalism and trust."),
        ),
    ),
}


def field_name(model: ReflectionModel, prompt: Prompt) -> str:
    """The form field of one prompt; unique across models so every model's fields can share a page."""
    return f"{model.value}__{prompt.key}"


def labelled_answers(model_value: str | None, reflection: dict | None) -> list[tuple[str, str]]:
    """(prompt label, answer) in the model's order, for showing or printing a reflection."""
    if not model_value or not reflection:
        return []
    try:
        model = MODELS[ReflectionModel(model_value)]
    except ValueError:
        return [(key, text) for key, text in reflection.items() if text]
    return [(p.label, reflection[p.key]) for p in model.prompts if reflection.get(p.key)]
