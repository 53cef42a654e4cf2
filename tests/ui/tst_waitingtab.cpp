// The window's free-GPU launches wait in their tabs (issue 27), against the real engine and two
// stand-in GPUs (a fake nvidia-smi) that a docker-CLI container holds: each tab says its place in
// line, what it waits for and who holds the GPUs; Stop cancels a waiting tab and leaves nothing
// behind; once the holder is gone the first in line runs. A window closed while a launch waits
// asks nothing, leaves nothing on the engine, and the next window waits again and runs it.
#include "FakeSmi.h"
#include "GuiTestBase.h"
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QCoreApplication>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>
#include <QTest>

class TestWaitingTab : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void tabsWaitInLineAndStopCancels();
    void aWaitingLaunchOutlivesTheWindow();

private:
    // A docker-CLI container holding both stand-in GPUs (removed in cleanup()); false: not started.
    bool holdBothGpus();
    static LaunchSpec freeOneGpu();

    FakeSmi m_smi;
    QString m_holder;
};

void TestWaitingTab::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    if (TestEngine::isRemote())
        QSKIP("the fake nvidia-smi answers for this machine only");
    useSettings(QStringLiteral("gpudeck-waitingtab"));
    m_smi.writeTwoIdleGpus();
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    qputenv("PATH", m_smi.pathOnly() + ':' + qgetenv("PATH"));
    m_holder = QStringLiteral("waiting-tab-holder-%1").arg(QCoreApplication::applicationPid());
}

// Gone even when a test fails half-way: it would hold the GPUs of the next run.
void TestWaitingTab::cleanup()
{
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_holder});
}

bool TestWaitingTab::holdBothGpus()
{
    const TestEngine::CliResult held = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), m_holder,
         QStringLiteral("--network"), QStringLiteral("none"), QStringLiteral("--gpus"),
         QStringLiteral("\"device=GPU-aaaa,GPU-bbbb\""), QStringLiteral("gpudeck-test:latest"),
         QStringLiteral("sleep"), QStringLiteral("60")});
    if (held.exitCode != 0)
        qWarning("%s", held.err.constData());
    return held.exitCode == 0;
}

LaunchSpec TestWaitingTab::freeOneGpu()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofFree(1);
    spec.networkMode = QStringLiteral("none");
    return spec;
}

void TestWaitingTab::tabsWaitInLineAndStopCancels()
{
    QVERIFY(holdBothGpus());
    const QString &holder = m_holder;
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint.ok());
    DockerClient client(endpoint.value());
    GpuInventory inventory;
    LogView view;
    view.resize(800, 400);
    view.show();
    const LaunchSpec spec = freeOneGpu();
    LogPage *first = view.launch(&client, spec, &inventory, QStringLiteral("local"));
    LogPage *second = view.launch(&client, spec, &inventory, QStringLiteral("local"));
    LogPage *third = view.launch(&client, spec, &inventory, QStringLiteral("local"));

    QTRY_VERIFY_WITH_TIMEOUT(third->launcher()->isWaitingForGpus(), 30000);
    QTRY_VERIFY(first->launcher()->isWaitingForGpus() && second->launcher()->isWaitingForGpus());
    // A tab that joined the line before one that began earlier moves back a place: told at the
    // next turn of the event loop.
    QTRY_VERIFY2(first->statusText().contains(
                     QLatin1String("Waiting for 1 free GPU (next in line)")),
                 qPrintable(first->statusText()));
    QVERIFY2(first->statusText().contains(holder), qPrintable(first->statusText()));
    QTRY_VERIFY2(second->statusText().contains(QLatin1String("(place 2 in line)")),
                 qPrintable(second->statusText()));
    QTRY_VERIFY2(third->statusText().contains(QLatin1String("(place 3 in line)")),
                 qPrintable(third->statusText()));
    QVERIFY(first->textEdit()->toPlainText().contains(QLatin1String("Waiting for 1 free GPU")));

    // Stop on the second tab: cancelled at once, the third moves up.
    second->stop();
    QTRY_COMPARE(second->state(), Launcher::State::Cancelled);
    QTRY_VERIFY2(third->statusText().contains(QLatin1String("(place 2 in line)")),
                 qPrintable(third->statusText()));

    // The holder goes: the first in line runs on a GPU, and the third follows on the other.
    QCOMPARE(TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), holder}).exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(first->state(), Launcher::State::Exited, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(third->state(), Launcher::State::Exited, 15000);
    QVERIFY(
        first->textEdit()->toPlainText().contains(QLatin1String("NVIDIA_VISIBLE_DEVICES=GPU-")));
    QCOMPARE(second->launcher()->containerId(), QString());
}

// Closed while its launch waits: the window asks nothing (nothing runs), the engine has nothing
// of the launch, and the next window brings the tab back waiting; it runs once the GPUs are free.
void TestWaitingTab::aWaitingLaunchOutlivesTheWindow()
{
    QSettings().clear();
    QVERIFY(holdBothGpus());
    LaunchSpec spec = freeOneGpu();
    spec.containerName =
        QStringLiteral("waiting-tab-back-%1").arg(QCoreApplication::applicationPid());
    const auto containersNamed = [&spec]() {
        return TestEngine::docker(
                   {QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--filter"),
                    QStringLiteral("name=^") + spec.containerName + QLatin1Char('$')})
            .out.trimmed();
    };
    {
        auto window = openWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window->engineKnown(), 15000);
        window->applySpec(spec);
        window->launch();
        QCOMPARE(window->logView()->count(), 1);
        LogPage *page = window->logView()->currentPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->isWaitingForGpus(), 30000);
        QVERIFY(!window->logView()->hasActive());
        QVERIFY(window->close()); // no question: nothing of the launch is on the engine
    }
    QCOMPARE(containersNamed(), QByteArray());

    auto window = openWindow();
    QTRY_COMPARE_WITH_TIMEOUT(window->logView()->count(), 1, 15000);
    QVERIFY2(window->statusBar()->currentMessage().contains(
                 QLatin1String("The launch that waited for GPUs when GPU Deck closed waits again")),
             qPrintable(window->statusBar()->currentMessage()));
    LogPage *page = window->logView()->currentPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->isWaitingForGpus(), 30000);
    QTRY_VERIFY2(page->statusText().contains(QLatin1String("Waiting for 1 free GPU")),
                 qPrintable(page->statusText()));
    QVERIFY2(page->statusText().contains(m_holder), qPrintable(page->statusText()));
    QCOMPARE(page->launcher()->spec().containerName, spec.containerName);
    QCOMPARE(containersNamed(), QByteArray());

    QCOMPARE(TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_holder}).exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(page->state(), Launcher::State::Exited, 15000);
    QVERIFY2(page->textEdit()->toPlainText().contains(QLatin1String("NVIDIA_VISIBLE_DEVICES=GPU-")),
             qPrintable(page->textEdit()->toPlainText()));
    // Brought back once: a third window has nothing waiting.
    window.reset();
    auto third = openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(third->engineKnown(), 15000);
    QCOMPARE(third->logView()->count(), 0);
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), spec.containerName});
}

QTEST_MAIN(TestWaitingTab)
#include "tst_waitingtab.moc"
