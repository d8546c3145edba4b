from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PageNumberWithSizePagination(PageNumberPagination):
    """Page numbers, with `?page_size=` up to a ceiling so one call cannot fetch a whole table.

    A page_size that is not a whole number of at least 1 is refused (400), not silently replaced.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_size_query_param: "Must be a whole number of at least 1."})
        return super().get_page_size(request)
