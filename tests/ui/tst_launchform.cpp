#include "launch/LaunchForm.h"
#include "presets/Preset.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <unistd.h>

// The launch form's fields for interactive work (-i, --user with "As me", -w, --entrypoint,
// --ulimit): typed in, they reach the LaunchSpec; a preset's values come back in them and out
// again unchanged.
class TestLaunchForm : public QObject
{
    Q_OBJECT

private slots:
    void typedFieldsReachTheSpec();
    void asMeFillsTheDesktopUser();
    void presetRoundTrip();
    void emptyEntrypoint();
    void badUlimitFlagged();

private:
    template <typename T> static T *field(QWidget *form, const char *name)
    {
        auto *widget = form->findChild<T *>(QLatin1String(name));
        if (!widget)
            qWarning("no field named %s", name);
        return widget;
    }
    static LaunchSpec specOf(const LaunchForm &form)
    {
        LaunchSpec spec;
        QList<ValidationIssue> issues;
        form.fillSpec(&spec, &issues);
        return spec;
    }
};

void TestLaunchForm::typedFieldsReachTheSpec()
{
    LaunchForm form;
    form.show();
    QTest::keyClicks(field<QLineEdit>(&form, "imageEdit"), QStringLiteral("gpudeck-test"));
    QTest::keyClicks(field<QLineEdit>(&form, "userEdit"), QStringLiteral("1000:100"));
    QTest::keyClicks(field<QLineEdit>(&form, "workdirEdit"), QStringLiteral("/work space"));
    QTest::keyClicks(field<QLineEdit>(&form, "entrypointEdit"),
                     QStringLiteral("/bin/sh -c 'echo \"$0\"'"));
    QTest::keyClicks(field<QLineEdit>(&form, "ulimitsEdit"),
                     QStringLiteral("memlock=-1  stack=67108864,nofile=1024:2048"));
    QTest::mouseClick(field<QCheckBox>(&form, "interactiveCheck"), Qt::LeftButton);
    QTest::mouseClick(field<QCheckBox>(&form, "ttyCheck"), Qt::LeftButton);

    const LaunchSpec spec = specOf(form);
    QCOMPARE(spec.user, QStringLiteral("1000:100"));
    QCOMPARE(spec.workdir, QStringLiteral("/work space"));
    QCOMPARE(spec.entrypoint,
             std::optional<QStringList>(
                 {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo \"$0\"")}));
    QCOMPARE(spec.ulimits,
             QStringList({QStringLiteral("memlock=-1"), QStringLiteral("stack=67108864"),
                          QStringLiteral("nofile=1024:2048")}));
    QVERIFY(spec.interactive);
    QVERIFY(spec.tty);
    QVERIFY(spec.validate().isEmpty());

    // Emptied again: the image's own.
    field<QLineEdit>(&form, "entrypointEdit")->clear();
    field<QLineEdit>(&form, "userEdit")->clear();
    QCOMPARE(specOf(form).entrypoint, std::nullopt);
    QVERIFY(specOf(form).user.isEmpty());
}

void TestLaunchForm::asMeFillsTheDesktopUser()
{
    LaunchForm form;
    form.show();
    auto *asMe = field<QPushButton>(&form, "asMeButton");
    QVERIFY(asMe);
    QSignalSpy changed(&form, &LaunchForm::changed);
    QTest::mouseClick(asMe, Qt::LeftButton);
    const QString me = QStringLiteral("%1:%2").arg(::getuid()).arg(::getgid());
    QCOMPARE(field<QLineEdit>(&form, "userEdit")->text(), me);
    QCOMPARE(specOf(form).user, me);
    QVERIFY(!changed.isEmpty());
}

void TestLaunchForm::presetRoundTrip()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("nvcr.io/nvidia/pytorch:24.05-py3");
    spec.command = {QStringLiteral("python")};
    spec.interactive = true;
    spec.tty = true;
    spec.user = QStringLiteral("1000:1000");
    spec.workdir = QStringLiteral("/workspace");
    spec.entrypoint = QStringList{QStringLiteral("/opt/nvidia/nvidia_entrypoint.sh")};
    spec.ulimits = {QStringLiteral("memlock=-1"), QStringLiteral("stack=67108864")};
    // Through a preset file and back into the form.
    const Result<Preset> read = Preset::fromJsonObject(Preset(QStringLiteral("pt"), spec).toJson());
    QVERIFY2(read, qPrintable(read.error().message()));
    LaunchForm form;
    form.setSpec(read.value().spec());
    QCOMPARE(field<QLineEdit>(&form, "userEdit")->text(), QStringLiteral("1000:1000"));
    QCOMPARE(field<QLineEdit>(&form, "workdirEdit")->text(), QStringLiteral("/workspace"));
    QCOMPARE(field<QLineEdit>(&form, "entrypointEdit")->text(),
             QStringLiteral("/opt/nvidia/nvidia_entrypoint.sh"));
    QCOMPARE(field<QLineEdit>(&form, "ulimitsEdit")->text(),
             QStringLiteral("memlock=-1 stack=67108864"));
    QVERIFY(field<QCheckBox>(&form, "interactiveCheck")->isChecked());

    LaunchSpec back = read.value().spec();
    QList<ValidationIssue> issues;
    form.fillSpec(&back, &issues);
    QVERIFY(issues.isEmpty());
    QCOMPARE(back.interactive, spec.interactive);
    QCOMPARE(back.user, spec.user);
    QCOMPARE(back.workdir, spec.workdir);
    QCOMPARE(back.entrypoint, spec.entrypoint);
    QCOMPARE(back.ulimits, spec.ulimits);
    QCOMPARE(Preset(QStringLiteral("pt"), back).toJson(),
             Preset(QStringLiteral("pt"), spec).toJson());
}

void TestLaunchForm::emptyEntrypoint()
{
    // Set to nothing (--entrypoint ""): shown as '', and back as an empty list, not as unset.
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test");
    spec.entrypoint = QStringList();
    LaunchForm form;
    form.setSpec(spec);
    QCOMPARE(field<QLineEdit>(&form, "entrypointEdit")->text(), QStringLiteral("''"));
    QCOMPARE(specOf(form).entrypoint, std::optional<QStringList>(QStringList()));
}

void TestLaunchForm::badUlimitFlagged()
{
    LaunchForm form;
    form.show();
    QTest::keyClicks(field<QLineEdit>(&form, "ulimitsEdit"), QStringLiteral("memlock=lots"));
    LaunchSpec spec = specOf(form);
    spec.image = QStringLiteral("gpudeck-test");
    const QList<ValidationIssue> issues = spec.validate();
    QCOMPARE(issues.size(), 1);
    QCOMPARE(issues.first().field, QStringLiteral("ulimits"));
    form.showIssues(issues, false); // the field was edited: flagged at once
    auto *ulimits = field<QLineEdit>(&form, "ulimitsEdit");
    QCOMPARE(ulimits->toolTip(), issues.first().message);
    QVERIFY(!ulimits->property("issue").toString().isEmpty());
}

QTEST_MAIN(TestLaunchForm)
#include "tst_launchform.moc"
