from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    """`?side=N&antall=M` (antall 1–1000, default 100). One COUNT and one page query per request."""

    page_query_param = "side"
    page_size_query_param = "antall"
    max_page_size = 1000

    def get_paginated_response(self, data):
        return Response(
            {
                "antall": self.page.paginator.count,
                "neste": self.get_next_link(),
                "forrige": self.get_previous_link(),
                "resultater": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["antall", "resultater"],
            "properties": {
                "antall": {"type": "integer", "example": 357},
                "neste": {"type": "string", "nullable": True, "format": "uri"},
                "forrige": {"type": "string", "nullable": True, "format": "uri"},
                "resultater": schema,
            },
        }
