"""Forms for prospects: the intake form (built from the event type's questions) and cancel/reschedule."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


class IntakeBase(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       description="We send the invitation and your manage link here.")
    start = HiddenField(validators=[DataRequired()])
    timezone = HiddenField(validators=[DataRequired()])
    # A field people never see and bots fill in.
    website = StringField("Leave this empty", validators=[Optional(), Length(max=0, message="Leave this empty.")])


def intake_form(questions: list[dict], formdata=None) -> FlaskForm:
    """A form class with one field per intake question, named q_<key>."""

    class Intake(IntakeBase):
        pass

    for q in questions:
        validators = [DataRequired(message="Please answer this question.")] if q.get("required") else [Optional()]
        label = q["label"]
        if q["type"] == "number":
            field = IntegerField(label, validators=[*validators, NumberRange(min=0, max=1_000_000)])
        elif q["type"] == "date":
            field = DateField(label, validators=validators)
        elif q["type"] == "choice":
            choices = [("", "Choose one")] + [(c, c) for c in q.get("choices", [])]
            field = SelectField(label, choices=choices, validators=validators)
        else:
            field = TextAreaField(label, validators=[*validators, Length(max=2000)])
        setattr(Intake, f"q_{q['key']}", field)
    return Intake(formdata=formdata) if formdata is not None else Intake()


def answers_from(form: FlaskForm, questions: list[dict]) -> dict[str, str]:
    answers = {}
    for q in questions:
        value = getattr(form, f"q_{q['key']}").data
        if value not in (None, ""):
            answers[q["key"]] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return answers


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=1000)],
                           description="Your coach will see this.")


class RescheduleForm(FlaskForm):
    start = HiddenField(validators=[DataRequired()])
