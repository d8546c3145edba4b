"""The admin's risk policy form: one number per action type instead of a JSON object of points."""

from django import forms
from unfold.widgets import UnfoldAdminIntegerFieldWidget

from agents.actions import ActionType
from hitl.models import RiskPolicy
from hitl.risk import ACTION_TYPE_MAX, DEFAULT_ACTION_BASE_RISK

POINT_FIELDS = {f"points_{value}": value for value in ActionType.values}  # form field -> action type


class _PolicyForm(forms.ModelForm):
    class Meta:
        model = RiskPolicy
        # action_base_risk is not a field of its own: clean() writes it from the points fields.
        fields = ["tenant", "medium_threshold", "high_threshold", "critical_threshold", "large_cost"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.action_base_risk if isinstance(self.instance.action_base_risk, dict) else {}
        for name, action_type in POINT_FIELDS.items():
            if name in self.fields and action_type in stored:
                self.fields[name].initial = stored[action_type]

    def clean(self):
        data = super().clean()
        self.instance.action_base_risk = {
            action_type: data[name] for name, action_type in POINT_FIELDS.items() if data.get(name) is not None
        }
        return data


def _points_field(action_type: str, label: str) -> forms.IntegerField:
    default = DEFAULT_ACTION_BASE_RISK.get(action_type, ACTION_TYPE_MAX)
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=ACTION_TYPE_MAX,
        widget=UnfoldAdminIntegerFieldWidget(attrs={"placeholder": str(default)}),
        help_text=f"Empty: Walker's {default}.",
    )


# Declared through the form metaclass so the admin's fieldsets may name them.
RiskPolicyForm = type(_PolicyForm)(
    "RiskPolicyForm",
    (_PolicyForm,),
    {"__module__": __name__, **{name: _points_field(t, ActionType(t).label) for name, t in POINT_FIELDS.items()}},
)
