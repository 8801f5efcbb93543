from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("societies", "0004_password_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="message_preference",
            field=models.CharField(
                choices=[
                    ("daily", "One message a day (in-app and e-mail)"),
                    ("immediate", "One message per item (in-app and e-mail)"),
                    ("in_app", "One message a day, in-app only (no e-mail)"),
                ],
                default="daily",
                max_length=20,
                verbose_name="reminder messages",
            ),
        ),
    ]
