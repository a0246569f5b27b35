from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("arrangements", views.ArrangementViewSet)
router.register("information-sharing-conditions", views.InformationSharingConditionViewSet)

urlpatterns = router.urls
