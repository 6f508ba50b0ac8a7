"""Forms of the coach's calendar pages. They check the shape of what was typed; the rules live in services."""
from __future__ import annotations

import re
from itertools import pairwise

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.forms import zone_choices
from portal.core.errors import DomainError
from portal.scheduling.intake import MAX_QUESTIONS, TYPES
from portal.scheduling.models import Outcome
from portal.scheduling.schemas import WEEKDAYS

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_INTERVALS = 12
HOW_TO_WRITE = "Write times like 09:00-12:00, 13:00-17:00."
_PIECE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(?:-|–|—|to)\s*(\d{1,2})(?::(\d{2}))?$", re.IGNORECASE)


def _clock(hour: str, minute: str | None) -> str | None:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h:02d}:{m:02d}"


def parse_intervals(text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-17:00" -> [["09:00", "12:00"], ["13:00", "17:00"]]; ValueError says what is wrong.

    Blank is no hours; an end of 00:00 or 24:00 is midnight at the end of the day."""
    pieces = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    if len(pieces) > MAX_INTERVALS:
        raise ValueError(f"At most {MAX_INTERVALS} intervals a day.")
    intervals = []
    for piece in pieces:
        match = _PIECE.match(piece)
        start = _clock(match.group(1), match.group(2)) if match else None
        end = _clock(match.group(3), match.group(4)) if match else None
        if start is None or end is None or start == "24:00":
            raise ValueError(f'Could not read "{piece}". {HOW_TO_WRITE}')
        end = "24:00" if end == "00:00" else end
        if end <= start:
            raise ValueError(f"{start}-{end} ends before it starts.")
        intervals.append([start, end])
    intervals.sort()
    for (a1, b1), (a2, b2) in pairwise(intervals):
        if a2 < b1:
            raise ValueError(f"{a1}-{b1} and {a2}-{b2} overlap.")
    return intervals


def show_errors(form, exc: DomainError, rename: dict[str, str] | None = None) -> bool:
    """Put a service's field messages on the form's fields; False when none of them matched a field."""
    placed = False
    for name, message in exc.fields.items():
        field = form._fields.get((rename or {}).get(name, name))
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    return placed


def format_intervals(intervals) -> str:
    return ", ".join(f"{a}-{b}" for a, b in intervals)


def sane_date(form, field) -> None:
    """Dates a calendar can hold (a year like 0001 or 9999 is a typo)."""
    if field.data is not None and not 2000 <= field.data.year <= 2200:
        raise ValidationError("Pick a date between 2000 and 2200.")


class IntervalsField(StringField):
    """Text like "09:00-12:00, 13:00-17:00"; `intervals` holds the parsed list once the form validates."""

    intervals: list[list[str]]

    def pre_validate(self, form) -> None:
        try:
            self.intervals = parse_intervals(self.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class WeeklyHoursForm(FlaskForm):
    timezone = SelectField("Your time zone", choices=[], validate_choice=True,
                           description="Your hours below are in this zone. Prospects see times in their own.")
    mon = IntervalsField("Monday", validators=[Length(max=300)])
    tue = IntervalsField("Tuesday", validators=[Length(max=300)])
    wed = IntervalsField("Wednesday", validators=[Length(max=300)])
    thu = IntervalsField("Thursday", validators=[Length(max=300)])
    fri = IntervalsField("Friday", validators=[Length(max=300)])
    sat = IntervalsField("Saturday", validators=[Length(max=300)])
    sun = IntervalsField("Sunday", validators=[Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()

    def day_fields(self) -> list[Field]:
        return [self[day] for day in WEEKDAYS]

    def weekly(self) -> dict[str, list[list[str]]]:
        return {day: self[day].intervals for day in WEEKDAYS}


class OverrideForm(FlaskForm):
    override_on = DateField("Date", validators=[DataRequired(message="Pick a date."), sane_date])
    override_intervals = IntervalsField("Hours that day", validators=[Length(max=300)],
                                        description="Like 10:00-14:00. Leave blank for a day off.")


class TimeOffForm(FlaskForm):
    off_first = DateField("First day", validators=[DataRequired(message="Pick the first day."), sane_date])
    off_last = DateField("Last day", validators=[DataRequired(message="Pick the last day."), sane_date])
    off_note = StringField("Note (only you see it)", validators=[Optional(), Length(max=200)])


class BlockForm(FlaskForm):
    block_on = DateField("Date", validators=[DataRequired(message="Pick a date."), sane_date])
    block_start = TimeField("From", validators=[DataRequired(message="Pick a start time.")])
    block_end = TimeField("To", validators=[DataRequired(message="Pick an end time.")])
    block_note = StringField("Note (only you see it)", validators=[Optional(), Length(max=200)])


class UploadCalendarForm(FlaskForm):
    file = FileField("Calendar file (.ics)", validators=[FileRequired(message="Choose an .ics file.")],
                     description="Export it from Google Calendar, Apple Calendar or Outlook.")


class CalendarAddressForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)], description="For example: Family.")
    url = StringField("Secret address in iCal format", validators=[DataRequired(message="Paste the address."),
                                                                    Length(max=1000)],
                      description="Starts with https:// or webcal://. We check it every 15 minutes.")


OUTCOME_CHOICES = [SelectChoice("", "Not recorded yet"), SelectChoice(Outcome.COMPLETED.value, "Completed"),
                   SelectChoice(Outcome.NO_SHOW.value, "No-show"), SelectChoice(Outcome.ENROLLED.value, "Enrolled")]


class CallNotesForm(FlaskForm):
    notes = TextAreaField("Private notes", validators=[Optional(), Length(max=20_000)],
                          description="Only coaches see these.")
    outcome = SelectField("Outcome", choices=OUTCOME_CHOICES, validate_choice=True)


class CancelCallForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)],
                           description="The prospect sees this in the cancellation email.")


class MoveCallForm(FlaskForm):
    move_on = DateField("New date", validators=[DataRequired(message="Pick a date."), sane_date])
    move_at = TimeField("New start time", validators=[DataRequired(message="Pick a time.")])


class QuestionForm(Form):
    """One intake question; a row with neither key nor label is left out."""

    key = StringField("Key", validators=[Optional(), Length(max=40)], description="a-z, 0-9 and _")
    label = StringField("Question", validators=[Optional(), Length(max=200)])
    type = SelectField("Answer type", choices=[SelectChoice(t, t.capitalize()) for t in TYPES], default="text")
    required = BooleanField("Required")
    choices = StringField("Choices (choice type)", validators=[Optional(), Length(max=2000)],
                          description="Separate them with commas.")

    def is_blank(self) -> bool:
        return not (self.key.data or "").strip() and not (self.label.data or "").strip()

    def as_dict(self) -> dict:
        choices = [c.strip() for c in (self.choices.data or "").split(",") if c.strip()]
        return {"key": (self.key.data or "").strip(), "label": (self.label.data or "").strip(),
                "type": self.type.data, "required": bool(self.required.data), "choices": choices}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _minutes(label: str, low: int, high: int, description: str = "", required: bool = True) -> IntegerField:
    first = InputRequired(message="Required.") if required else Optional()
    return IntegerField(label, validators=[first, NumberRange(min=low, max=high)], description=description)


NEW_EVENT = {"duration_minutes": 30, "slot_interval_minutes": 30, "buffer_before_minutes": 0, "buffer_after_minutes": 0,
             "minimum_notice_minutes": 240, "booking_window_days": 30, "cancel_notice_minutes": 120, "active": True}


class EventTypeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    slug = StringField("Address", validators=[Optional(), Length(max=80)],
                       description="The end of the booking link, like strategy-call. Made from the title if blank.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    duration_minutes = _minutes("Length (minutes)", 5, 480)
    slot_interval_minutes = _minutes("Start times every (minutes)", 5, 480)
    buffer_before_minutes = _minutes("Free time before (minutes)", 0, 240)
    buffer_after_minutes = _minutes("Free time after (minutes)", 0, 240)
    minimum_notice_minutes = _minutes("Minimum notice (minutes)", 0, 60 * 24 * 90, "240 is 4 hours.")
    booking_window_days = _minutes("Bookable up to (days ahead)", 1, 365)
    daily_limit = _minutes("Most calls a day per coach", 1, 100, "Blank for no limit.", required=False)
    cancel_notice_minutes = _minutes("Prospects can change up to (minutes before)", 0, 60 * 24 * 30)
    coaches = MultiCheckboxField("Coaches who take it", coerce=int, choices=[])
    active = BooleanField("Open for booking")
    questions = FieldList(FormField(QuestionForm), min_entries=MAX_QUESTIONS, max_entries=MAX_QUESTIONS)

    SETTINGS = ("duration_minutes", "slot_interval_minutes", "buffer_before_minutes", "buffer_after_minutes",
                "minimum_notice_minutes", "booking_window_days", "daily_limit", "cancel_notice_minutes")

    @classmethod
    def showing(cls, event, coach_ids: list[int]) -> EventTypeForm:
        """The form filled in with `event` (None: the defaults of a new kind of call, taken by `coach_ids`)."""
        if event is None:
            return cls(formdata=None, coaches=coach_ids, **NEW_EVENT)
        saved = {name: getattr(event, name) for name in ("title", "slug", "description", "active", *cls.SETTINGS)}
        questions = [dict(q, choices=", ".join(q.get("choices", []))) for q in event.questions or []]
        return cls(formdata=None, questions=questions, coaches=[link.coach_id for link in event.coaches], **saved)

    def settings(self) -> dict[str, int | None]:
        return {name: self[name].data for name in self.SETTINGS}

    def question_rows(self) -> list[QuestionForm]:
        return [entry.form for entry in self.questions if not entry.form.is_blank()]

    def show_errors(self, exc: DomainError) -> bool:
        """Like show_errors(), with "questions.<i>.<field>" put on the i-th filled-in question."""
        rows, placed = self.question_rows(), show_errors(self, exc)
        for name, message in exc.fields.items():
            parts = name.split(".")
            if parts[0] == "questions" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                field = rows[int(parts[1])]._fields.get(parts[2])
                if field is not None:
                    field.errors, placed = [*field.errors, message], True
        return placed


class BookingProfileForm(FlaskForm):
    """What prospects see of a coach on the booking pages and in their invitation."""

    title = StringField("Title", validators=[DataRequired(), Length(max=120)],
                        description='Shown under your name, e.g. "Associate coach, DPT".')
    bio = TextAreaField("About you", validators=[Optional(), Length(max=2000)],
                        description="Two or three sentences for runners choosing a coach.")
    video_url = StringField("Video call link", validators=[Optional(), Length(max=500)],
                            description="Your personal meeting room (Zoom, Google Meet, Whereby...). "
                                        "It goes into every invitation.")
    takes_bookings = BooleanField("Take new strategy calls")
