"""Forms of the survey pages: the answer form built from a template's questions, and staff forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.forms import bootstrapify
from kefu.customers.choices import Grade, Region
from kefu.surveys.choices import Channel, QuestionKind
from kefu.surveys.models import Question, SurveyTemplate


class AnswerForm(forms.Form):
    """One field per question, named q<id>; values as `response_submit` takes them."""

    def __init__(self, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            common: dict[str, Any] = {"label": question.text, "required": question.required}
            if question.kind == QuestionKind.SCALE:
                choices = [(str(question.points - i), label) for i, label in enumerate(question.options)]
                self.fields[name] = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect(attrs={"class": "btn-check"}), **common
                )
            elif question.kind == QuestionKind.NPS:
                choices = [(str(v), str(v)) for v in range(11)]
                self.fields[name] = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect(attrs={"class": "btn-check"}), **common
                )
            elif question.kind == QuestionKind.SINGLE:
                choices = [(str(i), label) for i, label in enumerate(question.options)]
                self.fields[name] = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect(attrs={"class": "btn-check"}), **common
                )
            elif question.kind == QuestionKind.MULTIPLE:
                choices = [(str(i), label) for i, label in enumerate(question.options)]
                self.fields[name] = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}), **common
                )
            else:
                self.fields[name] = forms.CharField(
                    max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), **common
                )
            self.fields[name].kind = question.kind  # type: ignore[attr-defined]

    def answers(self) -> dict[str, Any]:
        return {name[1:]: value for name, value in self.cleaned_data.items() if name.startswith("q")}


class SurveyForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=SurveyTemplate.objects.filter(is_active=True))
    name = forms.CharField(label=_("Name"), max_length=120)
    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    grade = forms.ChoiceField(label=_("Customer grade"), choices=[("", _("any")), *Grade.choices], required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("any")), *Region.choices], required=False)
    key_only = forms.BooleanField(label=_("Key customers only"), required=False)
    case_resolved_days = forms.IntegerField(
        label=_("Only customers with a case resolved in the last … days"), required=False, min_value=1, max_value=366
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ("name", "intro", "low_score_below", "target_index", "is_active")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for dimension in self.instance.dimensions.all():
            self.fields[f"weight_{dimension.pk}"] = forms.DecimalField(
                label=_("Weight of %(dimension)s") % {"dimension": dimension.name},
                initial=dimension.weight,
                min_value=0,
                max_digits=5,
                decimal_places=2,
            )
        bootstrapify(self)

    def weights(self) -> dict[int, Any]:
        return {int(k[7:]): v for k, v in self.cleaned_data.items() if k.startswith("weight_")}
