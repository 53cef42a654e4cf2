#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "gpu/GpuSnapshot.h"
#include "gpus/GpuAlerts.h"
#include "gpus/GpuPanel.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

// The window's alerts against the real sandboxed dockerd and the fake NVML library: a launch
// that ends while the window is not in front is said under the GPU plot; the idle alert's minutes
// are a spin box in the Alerts menu, remembered, and its "Stop NAME" stops the real container.
class TestGpuAlerts : public GuiTestBase
{
    Q_OBJECT

private:
    static void typeLaunch(MainWindow *window, const QString &name, const QString &command)
    {
        auto *image = child<QLineEdit>(window, "imageEdit");
        image->clear();
        QTest::keyClicks(image, QStringLiteral("gpudeck-test:latest"));
        auto *commandEdit = child<QLineEdit>(window, "commandEdit");
        commandEdit->clear();
        QTest::keyClicks(commandEdit, command);
        auto *nameEdit = child<QLineEdit>(window, "nameEdit");
        nameEdit->clear();
        QTest::keyClicks(nameEdit, name);
        auto *network = child<QComboBox>(window, "networkCombo");
        network->lineEdit()->clear();
        QTest::keyClicks(network->lineEdit(), QStringLiteral("none"));
    }

    static LogPage *launchAndWait(MainWindow *window)
    {
        LogView *logs = window->logView();
        const int before = logs->count();
        QTest::mouseClick(child<QPushButton>(window, "launchButton"), Qt::LeftButton);
        if (logs->count() != before + 1)
            return nullptr;
        LogPage *page = logs->currentPage();
        if (!QTest::qWaitFor([page]() { return !page->isActive(); }, 60000))
            return nullptr;
        return page;
    }

    static QString uniqueName(const char *what)
    {
        return QStringLiteral("gpudeck-alerts-%1-%2")
            .arg(QLatin1String(what))
            .arg(QCoreApplication::applicationPid());
    }

    // One second of a GPU that container id (named name) holds at 0 %.
    static GpuSnapshot idleSecond(qint64 msecs, const QString &id, const QString &name)
    {
        GpuSnapshot snap;
        snap.taken = QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
        GpuInfo g;
        g.index = 5;
        g.uuid = QStringLiteral("GPU-idle-test");
        g.name = QStringLiteral("NVIDIA H100");
        g.processesKnown = true;
        g.gpuUtil = 0;
        GpuInfo::Process p;
        p.pid = 4321;
        p.usedMemory = 1LL << 30;
        p.container.id = id;
        p.container.name = name;
        g.processes << p;
        snap.gpus << g;
        return snap;
    }

    static bool isRunning(const QString &id)
    {
        const TestEngine::CliResult r = TestEngine::docker(
            {QStringLiteral("inspect"), QStringLiteral("-f"), QStringLiteral("{{.State.Running}}"),
             id});
        return r.exitCode == 0 && r.out.trimmed() == "true";
    }

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_settings.isValid());
        useSettings(QStringLiteral("gpudeck-test"));
        useFakeNvml("two");
    }

    void init() { QSettings().clear(); }

    // Minimised, the window says that the launch ended, with its name, exit code and how long it
    // ran; in front it says nothing (the tab shows it).
    void launchEndedWhileAwayIsSaid()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QVERIFY2(!window->engineError().isError(), qPrintable(window->engineError().message()));
        auto *alertLog = child<QLabel>(window.get(), "gpuAlertLog");
        QSignalSpy said(window->gpuPanel()->alerts(), &GpuAlerts::logged);

        const QString name = uniqueName("away");
        typeLaunch(window.get(), name, QStringLiteral("sh -c 'sleep 1; exit 3'"));
        window->showMinimized();
        QVERIFY(window->isMinimized());
        LogPage *page = launchAndWait(window.get());
        QVERIFY(page);
        QCOMPARE(page->exitCode(), std::optional<qint64>(3));
        QCOMPARE(said.size(), 1);
        const QString line = said.at(0).at(0).toString();
        QVERIFY2(line.contains(QStringLiteral("%1 finished with exit code 3 after ").arg(name)),
                 qPrintable(line));
        QVERIFY2(line.endsWith(QLatin1String(" s.")), qPrintable(line));
        QVERIFY2(alertLog->text().contains(line), qPrintable(alertLog->text()));

        // In front: nothing more is said.
        window->showNormal();
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get()))
            QSKIP("the platform does not activate windows");
        typeLaunch(window.get(), uniqueName("front"), QStringLiteral("true"));
        QVERIFY(launchAndWait(window.get()));
        QCOMPARE(said.size(), 1);
    }

    // The minutes are a spin box in the Alerts menu, remembered for the next window; once they
    // have passed, the alert names the container and "Stop NAME" stops it on the engine.
    void idleOfferStopsTheContainer()
    {
        auto window = openWindow(TestEngine::host());
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        QVERIFY2(!window->engineError().isError(), qPrintable(window->engineError().message()));
        auto *spin = child<QSpinBox>(window.get(), "idleMinutesSpin");
        QCOMPARE(spin->value(), 30);
        spin->setValue(2);
        QCOMPARE(QSettings().value(QStringLiteral("alerts/idleMinutes")).toInt(), 2);
        {
            auto second = std::make_unique<MainWindow>(TestEngine::host());
            QCOMPARE(child<QSpinBox>(second.get(), "idleMinutesSpin")->value(), 2);
            QCOMPARE(second->gpuPanel()->alerts()->settings().idleMinutes, 2);
        }

        const QString name = uniqueName("idle");
        const TestEngine::CliResult run = TestEngine::docker(
            {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network=none"),
             QStringLiteral("--name"), name, QStringLiteral("gpudeck-test:latest"),
             QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("trap 'exit 0' TERM; sleep 300 & wait")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QString id = QString::fromUtf8(run.out.trimmed());
        const auto cleanup = qScopeGuard([&]() {
            TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), id});
        });
        QVERIFY(isRunning(id));

        // Two minutes and a second at 0 %, as the monitor would report them (no event loop
        // between the two: the fake NVML's own reads do not break the streak).
        GpuAlerts *alerts = window->gpuPanel()->alerts();
        QSignalSpy said(alerts, &GpuAlerts::logged);
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
        alerts->check(idleSecond(t0, id, name));
        QCOMPARE(said.size(), 0);
        alerts->check(idleSecond(t0 + 121000, id, name));
        QCOMPARE(said.size(), 1);
        QVERIFY2(said.at(0).at(0).toString().contains(
                     QStringLiteral("Container %1 has held GPU 5 at 0 % utilisation for 2 "
                                    "minutes")
                         .arg(name)),
                 qPrintable(said.at(0).at(0).toString()));

        auto *stop = child<QPushButton>(window.get(), "idleStopButton");
        QTRY_VERIFY(stop->isVisible());
        QCOMPARE(stop->text(), QStringLiteral("Stop %1").arg(name));
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(!stop->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!isRunning(id), 30000);
        const TestEngine::CliResult state = TestEngine::docker(
            {QStringLiteral("inspect"), QStringLiteral("-f"), QStringLiteral("{{.State.Status}}"),
             id});
        QCOMPARE(state.out.trimmed(), QByteArray("exited"));
    }
};

QTEST_MAIN(TestGpuAlerts)
#include "tst_gpualerts.moc"
