"""The default words of the monthly report (Chinese: the report is read in Chinese)."""

from django.db import migrations

DEFAULT = {
    "title": "{place}{month}创熟工作月报",
    "intro": "本报告由邻里平台根据{place}{month}的工作记录自动统计生成，数据均来自系统登记，未经人工填报。",
    "closing": "以上数据截至报告生成时间（{generated}），如有疑问请联系社区工作人员核实。",
    "heading_indicators": "一、主要指标（本月与上月对比）",
    "heading_compare": "二、各{children}情况对比",
    "heading_chart": "三、本月诉求分类",
    "heading_cases": "四、本月重点诉求",
}


def create(apps, schema_editor):
    ReportTemplate = apps.get_model("results", "ReportTemplate")
    if not ReportTemplate.objects.filter(subdistrict__isnull=True, community__isnull=True).exists():
        ReportTemplate.objects.create(**DEFAULT)


def remove(apps, schema_editor):
    apps.get_model("results", "ReportTemplate").objects.filter(subdistrict__isnull=True, community__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0001_report_template")]
    operations = [migrations.RunPython(create, remove)]
