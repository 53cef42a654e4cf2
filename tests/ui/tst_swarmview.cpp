// The window's Swarm view against a real single-node swarm (fixture swarm-engine: a test dockerd
// that advertises two stand-in GPUs as NVIDIA-GPU generic resources): shown only on a manager,
// its node and GPUs listed, and "Launch on Swarm" running the form's launch as a service whose
// task reserves one GPU, the task's output live in a tab of the log pane like any launch, the GPU
// shown held while it runs, and the service removed at the end; closing the tab of a running
// swarm launch removes its service.
#include "GuiTestBase.h"
#include "NamedChild.h"
#include "TestEngine.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "swarm/SwarmView.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

class TestSwarmView : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hiddenOnAnEngineThatIsNoManager();
    void nodesAndLaunchOnSwarm();
    void closingTheTabRemovesTheService();
    void swarmLaunchOnANonManagerSaysWhatToDo();

private:
    QStringList services();
    QStringList m_uuids;
};

void TestSwarmView::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_settings.isValid());
    useSettings(QStringLiteral("gpudeck-test-swarm"));
    useFakeNvml("two");
    QFile uuids(qEnvironmentVariable("GPUDECK_TEST_SWARM_DIR") + QStringLiteral("/gpu-uuids"));
    QVERIFY2(uuids.open(QIODevice::ReadOnly), "the swarm engine's gpu-uuids file is missing");
    m_uuids = QString::fromLatin1(uuids.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(m_uuids.size(), 2);
}

QStringList TestSwarmView::services()
{
    const TestEngine::CliResult ls = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("-q")});
    return QString::fromLatin1(ls.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void TestSwarmView::hiddenOnAnEngineThatIsNoManager()
{
    MainWindow window(QStringLiteral("unix://" GPUDECK_TEST_ENGINE_DIR "/docker.sock"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.engineKnown(), 20000);
    QVERIFY2(!window.engineError().isError(), qPrintable(window.engineError().message()));
    QVERIFY(!window.swarmView()->isManager());
    QVERIFY(!window.swarmView()->isVisible());
}

void TestSwarmView::nodesAndLaunchOnSwarm()
{
    MainWindow window(TestEngine::host());
    window.setGeometry(0, 0, 1500, 950);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    SwarmView *view = window.swarmView();
    QTRY_VERIFY_WITH_TIMEOUT(view->isManager(), 20000);
    QVERIFY(view->isVisible());

    // The node and its two GPUs, both free.
    QTRY_COMPARE_WITH_TIMEOUT(view->nodes().size(), 1, 20000);
    QCOMPARE(view->nodes().constFirst().gpuCount(), 2);
    QCOMPARE(view->nodes().constFirst().heldGpus(), 0);
    auto *tree = child<QTreeWidget>(&window, "swarmNodes");
    QCOMPARE(tree->topLevelItemCount(), 1);
    QCOMPARE(tree->topLevelItem(0)->childCount(), 2);
    QStringList shown;
    for (int i = 0; i < 2; ++i)
        shown << tree->topLevelItem(0)->child(i)->data(2, Qt::UserRole).toString();
    shown.sort();
    QStringList expected = m_uuids;
    expected.sort();
    QCOMPARE(shown, expected);
    const QString summary = child<QLabel>(&window, "swarmSummary")->text();
    QVERIFY2(summary.contains(QLatin1String("1 node")) && summary.contains(QLatin1String("2 GPUs")),
             qPrintable(summary));

    // The form's launch on the swarm: one GPU, reserved by count; the task says which it got
    // (busybox sh drops DOCKER_RESOURCE_NVIDIA-GPU from its environment: read PID 1's).
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {
        QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral(
            "tr '\\0' '\\n' </proc/1/environ | sed -n 's/^DOCKER_RESOURCE_NVIDIA-GPU=/got /p'; "
            "sleep 4; echo swarm-done")};
    spec.gpus = GpuSelection::ofCount(1);
    window.applySpec(spec);
    QCOMPARE(window.currentSpec().gpus, GpuSelection::ofCount(1));
    LogView *logs = window.logView();
    QCOMPARE(logs->count(), 0);
    QTest::mouseClick(child<QPushButton>(&window, "swarmLaunch"), Qt::LeftButton);
    QCOMPARE(logs->count(), 1);
    LogPage *page = logs->currentPage();
    QVERIFY(page->isSwarm());
    QVERIFY(page->isActive());
    // the window's Stop (Esc) follows the tab in front
    QVERIFY(window.findChild<QAction *>(QStringLiteral("stopAction"))->isEnabled());

    // While the task runs, its GPU shows as held by it.
    const auto output = [page]() { return page->textEdit()->toPlainText(); };
    QTRY_VERIFY2_WITH_TIMEOUT(output().contains(QLatin1String("got GPU-")),
                              qPrintable(page->statusText()), 30000);
    QVERIFY2(page->statusText().startsWith(QLatin1String("Running on the swarm")),
             qPrintable(page->statusText()));
    QVERIFY2(logs->findChild<QTabWidget *>()->tabText(0).contains(QLatin1String("(swarm)")),
             qPrintable(logs->findChild<QTabWidget *>()->tabText(0)));
    QTRY_COMPARE_WITH_TIMEOUT(view->nodes().constFirst().heldGpus(), 1, 10000);
    const auto heldRows = [&]() {
        int held = 0;
        for (int i = 0; i < tree->topLevelItem(0)->childCount(); ++i)
            held += tree->topLevelItem(0)->child(i)->text(2).contains(QLatin1String("held by")) ? 1
                                                                                                : 0;
        return held;
    };
    QTRY_COMPARE_WITH_TIMEOUT(heldRows(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 60000);
    QVERIFY2(page->statusText().startsWith(QLatin1String("Exited with code 0")),
             qPrintable(page->statusText()));
    QCOMPARE(page->state(), Launcher::State::Exited);
    QVERIFY2(output().contains(QLatin1String("swarm-done")), qPrintable(output()));
    const QString got =
        output().section(QLatin1String("got "), 1).section(QLatin1Char('\n'), 0, 0).trimmed();
    QVERIFY2(m_uuids.contains(got), qPrintable(output()));
    QCOMPARE(services(), QStringList()); // removed at the end
    QTRY_COMPARE_WITH_TIMEOUT(view->nodes().constFirst().heldGpus(), 0, 10000);

    // The README's screenshot, when run under Xvfb with GPUDECK_SWARM_SHOT=PATH.
    const QString shot = qEnvironmentVariable("GPUDECK_SWARM_SHOT");
    if (!shot.isEmpty())
        QVERIFY(window.grab().save(shot));
}

void TestSwarmView::closingTheTabRemovesTheService()
{
    MainWindow window(TestEngine::host());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.swarmView()->isManager(), 20000);
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo swarm-started; sleep 120")};
    spec.gpus = GpuSelection::ofCount(1);
    window.applySpec(spec);
    QTest::mouseClick(child<QPushButton>(&window, "swarmLaunch"), Qt::LeftButton);
    LogView *logs = window.logView();
    QCOMPARE(logs->count(), 1);
    QPointer<LogPage> page = logs->currentPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->textEdit()->toPlainText().contains(
                                 QLatin1String("swarm-started")),
                             30000);
    QCOMPARE(services().size(), 1);
    logs->closeCurrent();
    QCOMPARE(logs->count(), 0);
    // The page lives on hidden until the service is gone, then goes.
    QTRY_VERIFY_WITH_TIMEOUT(page.isNull(), 30000);
    QCOMPARE(services(), QStringList());
}

// The log tab of a swarm launch on an engine that is no manager fails with the engine's 503 and
// what to do about it.
void TestSwarmView::swarmLaunchOnANonManagerSaysWhatToDo()
{
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(
        QStringLiteral("unix://" GPUDECK_TEST_ENGINE_DIR "/docker.sock"), QStringLiteral("test"));
    QVERIFY(endpoint);
    DockerClient client(endpoint.value());
    LogView logs;
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("true")};
    LogPage *page = logs.launchOnSwarm(&client, spec, 1);
    QTRY_VERIFY_WITH_TIMEOUT(!page->isActive(), 30000);
    QCOMPARE(page->state(), Launcher::State::Failed);
    QCOMPARE(page->error().httpStatus(), 503);
    QVERIFY2(page->statusText().contains(QLatin1String("or --host a manager")),
             qPrintable(page->statusText()));
}

QTEST_MAIN(TestSwarmView)
#include "tst_swarmview.moc"
