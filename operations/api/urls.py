from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet)
router.register("agencies", views.AgencyViewSet)
router.register("threats", views.ThreatViewSet)
router.register("programs", views.ProgramViewSet)
router.register("jfos", views.JointForceOperationViewSet)
router.register("officers", views.OfficerViewSet)
router.register("assignments", views.AssignmentViewSet)
router.register("salary-rates", views.SalaryRateViewSet)
router.register("costing-policies", views.CostingPolicyViewSet)

urlpatterns = router.urls
