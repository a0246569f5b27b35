from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("arrangements", views.ArrangementViewSet, basename="arrangement")
router.register("information-sharing-conditions", views.InformationSharingConditionViewSet)
router.register("gap-actions", views.GapActionViewSet)

urlpatterns = router.urls
