from django.http import HttpRequest, HttpResponse


def survey_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
