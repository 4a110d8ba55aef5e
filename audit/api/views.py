from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class WhoAmIView(APIView):
    """Who the token belongs to and which roles it carries; insurers use it to check a key."""

    open_to_any_key = True  # tells a key's holder only about himself

    @extend_schema(responses=WhoAmISerializer, summary="当前用户 / current user")
    def get(self, request):
        data = {"username": request.user.get_username(), "roles": sorted(request.user.role_codes)}
        return Response(WhoAmISerializer(data).data)
