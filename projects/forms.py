"""Forms of the project pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


# --- annex list import -------------------------------------------------------------------------------------------
class AnnexUploadForm(forms.Form):
    """The workbook to import; the year only when the file does not name it, the sheet when several qualify."""

    file = forms.FileField(label=_("Workbook (.xlsx)"), required=False, allow_empty_file=True)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100,
                              help_text=_("Only needed when the workbook's title does not name the year."))
    sheet = forms.ChoiceField(label=_("Sheet"), required=False, choices=())

    def __init__(self, *args, sheets: list[str] | None = None, pending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending
        if sheets:
            self.fields["sheet"].choices = [(name, name) for name in sheets]
            self.fields["sheet"].required = True
        else:
            del self.fields["sheet"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and not self.pending:
            self.add_error("file", _("Choose a workbook to upload."))
        if upload is not None and upload.size > settings.UPLOAD_MAX_BYTES:
            self.add_error("file", _("The file is larger than {} MB.").format(settings.UPLOAD_MAX_BYTES // 1024 // 1024))
        return data
