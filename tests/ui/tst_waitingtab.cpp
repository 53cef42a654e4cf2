// The window's free-GPU launches wait in their tabs (issue 27), against the real engine and two
// stand-in GPUs (a fake nvidia-smi) that a docker-CLI container holds: each tab says its place in
// line, what it waits for and who holds the GPUs; Stop cancels a waiting tab and leaves nothing
// behind; once the holder is gone the first in line runs.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"

#include <QCoreApplication>
#include <QPlainTextEdit>
#include <QScopeGuard>
#include <QTest>

class TestWaitingTab : public QObject
{
    Q_OBJECT

private slots:
    void tabsWaitInLineAndStopCancels();
};

void TestWaitingTab::tabsWaitInLineAndStopCancels()
{
    GPUDECK_REQUIRE_ENGINE();
    if (TestEngine::isRemote())
        QSKIP("the fake nvidia-smi answers for this machine only");
    FakeSmi smi;
    smi.write(QStringLiteral("identity.csv"),
              "0, GPU-aaaa, NVIDIA H100 80GB HBM3, 00000000:07:00.0, 81559, 0, 0, 0, 30, "
              "70.00, 700.00, Disabled, 580.159.04\n"
              "1, GPU-bbbb, NVIDIA H100 80GB HBM3, 00000000:0F:00.0, 81559, 0, 0, 0, 30, "
              "70.00, 700.00, Disabled, 580.159.04\n");
    smi.write(QStringLiteral("live.csv"), "0, 0, 0, 0, 30, 70.00, 700.00\n"
                                          "1, 0, 0, 0, 30, 70.00, 700.00\n");
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    qputenv("PATH", smi.pathOnly() + ':' + qgetenv("PATH"));

    const QString holder =
        QStringLiteral("waiting-tab-holder-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult held = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), holder,
         QStringLiteral("--network"), QStringLiteral("none"), QStringLiteral("--gpus"),
         QStringLiteral("\"device=GPU-aaaa,GPU-bbbb\""), QStringLiteral("gpudeck-test:latest"),
         QStringLiteral("sleep"), QStringLiteral("60")});
    QVERIFY2(held.exitCode == 0, held.err.constData());
    // Gone even when the test fails half-way: it would hold the GPUs of the next run.
    const auto removeHolder = qScopeGuard([&holder]() {
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), holder});
    });

    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint.ok());
    DockerClient client(endpoint.value());
    GpuInventory inventory;
    LogView view;
    view.resize(800, 400);
    view.show();
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofFree(1);
    spec.networkMode = QStringLiteral("none");
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

QTEST_MAIN(TestWaitingTab)
#include "tst_waitingtab.moc"
