"""POST /api/imports/<kind>/: a CSV file of marketing data into the caller's tenant (agents.import_files).

The answer counts the rows that are new, updated, unchanged and invalid, and lists each invalid row's errors by
row and column. One invalid row and nothing is stored: the answer is then a 400 with code `invalid_rows` and the
same report. `dry_run` checks the file the same way and stores nothing.
"""

from django.utils.translation import gettext, ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.import_files import check_size, import_file, may_import, resource_for
from agents.imports import KINDS
from core.errors import WalkerError


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (UTF-8, a header line); columns per kind in docs/imports.md.")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row and store nothing.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The data row, 1 for the first under the header.")
    field = serializers.CharField(allow_null=True, help_text="The column; null for the row as a whole.")
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    dry_run = serializers.BooleanField()
    stored = serializers.BooleanField(help_text="Whether the file is now stored (never on a dry run).")
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)


REPORT_EXAMPLE = {
    "kind": "campaign-stats", "dry_run": False, "stored": False, "new": 28, "updated": 0, "unchanged": 0,
    "invalid": 2, "code": "invalid_rows", "detail": "2 rows are invalid; nothing was stored.",
    "errors": [
        {"row": 3, "field": "spend", "message": "Enter a number with a point for decimals, no thousands separator: "
         "1234.50."},
        {"row": 7, "field": "campaign", "message": "No campaign of yours is named “Winter Sale”."},
    ],
}  # fmt: skip


class ImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a CSV file of marketing data into your tenant",
        description=(
            "Tenant admins only. The columns of each kind are in docs/imports.md; rows are matched to yours by their "
            "key and updated, the others added. When any row is invalid the answer is a 400 with code "
            "`invalid_rows`, a `detail` and the same report as a 200 (counts, and `errors` by row and column), and "
            "nothing is stored. A file refused whole is a 400 with code `bad_columns`, `empty`, `not_utf8` or "
            "`unreadable`, or a 413 `too_large` (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS)."
        ),
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(KINDS))],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid rows (the report), or the file refused."),
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="Too large: {code: too_large, detail}."),
        },
        examples=[OpenApiExample("Two invalid rows", value=REPORT_EXAMPLE, response_only=True, status_codes=["400"])],
    )
    def post(self, request, kind):
        model = resource_for(kind)._meta.model  # 404 for an unknown kind
        if not may_import(request.user, model):
            raise WalkerError("forbidden", gettext("Your role may not import these rows."))
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        check_size(file.size)  # before reading it
        report = import_file(request.user, kind, file.read(), dry_run=upload.validated_data["dry_run"])
        answer = ImportReportSerializer(report).data
        if report.errors:
            detail = ngettext(
                "%(count)s row is invalid; nothing was stored.",
                "%(count)s rows are invalid; nothing was stored.",
                report.invalid,
            ) % {"count": report.invalid}
            return Response({"code": "invalid_rows", "detail": detail, **answer}, status=status.HTTP_400_BAD_REQUEST)
        return Response(answer)
