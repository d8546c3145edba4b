from rest_framework.pagination import PageNumberPagination


class PageNumberWithSizePagination(PageNumberPagination):
    """Page numbers, with `?page_size=` up to a ceiling so one call cannot fetch a whole table."""

    page_size_query_param = "page_size"
    max_page_size = 200
