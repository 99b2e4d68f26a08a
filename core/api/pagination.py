from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    """`?side=N&antall=M` (side ≥ 1, antall 1–1000, default 100). One COUNT and one page query.

    A malformed value is a 400 naming the parameter; a page beyond the end is a 404.
    """

    page_query_param = "side"
    page_size_query_param = "antall"
    max_page_size = 1000

    def _integer(self, request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
        raw = request.query_params.get(name, "")
        if raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            rule = (
                _("må være et heltall fra %(min)d til %(max)d.") % {"min": minimum, "max": maximum}
                if maximum is not None
                else _("må være et heltall på minst %(min)d.") % {"min": minimum}
            )
            raise ValidationError({name: [f"{name} {rule}"]})
        return value

    def get_page_size(self, request):
        return self._integer(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size) or self.page_size

    def get_page_number(self, request, paginator):
        return self._integer(request, self.page_query_param, minimum=1) or 1

    def get_paginated_response(self, data):
        return Response(
            {
                "antall": self.page.paginator.count,
                "neste": self.get_next_link(),
                "forrige": self.get_previous_link(),
                "resultater": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size, "default": self.page_size})
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "default": 1})
        return parameters

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
