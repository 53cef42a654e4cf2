#include "GuiTestBase.h"
#include "TestEngine.h"
#include "containers/ContainerWatch.h"
#include "containers/ContainersModel.h"
#include "containers/ContainersView.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuMonitor.h"
#include "gpus/ContainerUsePlot.h"
#include "gpus/HistoryPlot.h"
#include "log/LogPage.h"
#include "log/LogView.h"

#include <QProcess>
#include <QTest>

// Each container's own GPU use, against the real sandboxed engine: the fake NVML reports a real
// container's process on GPU 0 (2 GiB; the GPU at 5 %), the monitor names its container from
// its cgroup, and the container's log tab draws its memory and utilisation in the header; the
// Containers view draws its utilisation as a sparkline.
class TestContainerUse : public GuiTestBase
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        const auto run = TestEngine::docker(
            {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), m_name,
             QStringLiteral("--network"), QStringLiteral("none"),
             QStringLiteral("gpudeck-test:latest"), QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("echo holding GPU 0; exec sleep 600")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        m_id = QString::fromUtf8(run.out).trimmed();
        const auto pid = TestEngine::docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                                             QStringLiteral("{{.State.Pid}}"), m_id});
        const QByteArray pid1 = pid.out.trimmed();
        QVERIFY2(!pid1.isEmpty() && pid1 != "0", pid.err.constData());
        useFakeNvml("two");
        qputenv("GPUDECK_FAKE_NVML_PROCESSES", pid1 + ":2048");
        const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
        QVERIFY(endpoint);
        m_client = new DockerClient(endpoint.value(), this);
        m_monitor = new GpuMonitor(this);
        m_monitor->setInterval(100);
        m_monitor->start();
    }

    void cleanupTestCase()
    {
        if (!m_id.isEmpty())
            TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_id});
    }

    // The plot alone: points for its container only, memory summed, utilisation the GPU's.
    void plotGetsPointsOfItsContainer()
    {
        ContainerUsePlot plot;
        plot.resize(500, 40);
        plot.setMonitor(m_monitor);
        plot.setContainer(m_id);
        QTRY_VERIFY_WITH_TIMEOUT(plot.points().size() >= 3, 15000);
        const GpuHistory::ContainerPoint last = plot.points().last();
        QCOMPARE(last.memoryBytes, 2048LL * 1024 * 1024);
        QCOMPARE(last.gpuUtil, 5);
        QVERIFY(plot.points().first().msecs < last.msecs);
        QVERIFY2(plot.summary().startsWith(QLatin1String("GPU use: 2.0 GiB now (peak 2.0 GiB), "
                                                         "utilisation 5 % now (peak 5 %)")),
                 qPrintable(plot.summary()));
        QCOMPARE(plot.accessibleDescription(), plot.summary());

        // The band of its memory (a steady 2 GiB: 90 % of the plot's height) in the first series'
        // colour, above the utilisation line at 5 %.
        plot.show();
        QTRY_VERIFY(plot.isVisible());
        const QImage image = plot.grab().toImage();
        const QRect area = plot.plotArea();
        QCOMPARE(image.pixel(area.center().x(), area.top() + area.height() / 3),
                 HistoryPlot::seriesColour(0, plot.palette()).rgb());

        // Another container (a prefix of nobody's ID) has nothing; nor does the plot without one.
        plot.setContainer(QStringLiteral("0123456789ab"));
        QVERIFY(plot.points().isEmpty());
        QVERIFY(!plot.isVisible());
        plot.setContainer(m_id.left(12)); // a short ID is enough
        QVERIFY(!plot.points().isEmpty());
    }

    // In the log tab's header, and in the Containers view's GPU use column.
    void logTabAndContainersViewShowIt()
    {
        LogView logs;
        logs.resize(900, 360);
        logs.setGpuMonitor(m_monitor);
        LogPage *page = logs.follow(m_client, m_id, m_name, false);
        QVERIFY(page);
        ContainerUsePlot *plot = page->usePlot();
        QVERIFY(plot);
        QCOMPARE(plot->container(), m_id);
        logs.show();
        QVERIFY(QTest::qWaitForWindowExposed(&logs));
        QTRY_VERIFY_WITH_TIMEOUT(plot->isVisible() && plot->points().size() >= 5, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(page->textEdit()->toPlainText().contains(
                                     QLatin1String("holding GPU 0")),
                                 15000);
        QVERIFY(plot->geometry().bottom() < page->textEdit()->geometry().top());
        if (const QByteArray shots = qgetenv("GPUDECK_SCREENSHOT_DIR"); !shots.isEmpty()) {
            QTest::qWait(1500); // a few more reads on the plot
            const QString path = QString::fromLocal8Bit(shots)
                                 + QStringLiteral("/container-use.png");
            if (QGuiApplication::platformName() == QLatin1String("xcb"))
                QProcess::execute(QStringLiteral("import"),
                                  {QStringLiteral("-window"), QStringLiteral("root"), path});
            else
                logs.grab().save(path);
        }

        ContainersView view(m_client);
        ContainersModel *model = view.containerWatch()->model();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf(m_id) >= 0, 15000);
        view.setGpuHistory(m_monitor->history());
        const QModelIndex cell = model->index(model->rowOf(m_id), ContainersModel::GpuUse);
        const QList<double> series =
            cell.data(ContainersModel::UseSeriesRole).value<QList<double>>();
        QVERIFY(series.size() >= 5 && series.size() <= 60);
        QCOMPARE(series.last(), 0.05);
        QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains(QLatin1String("2.0 GiB now")),
                 qPrintable(cell.data(Qt::ToolTipRole).toString()));
        QCOMPARE(model->headerData(ContainersModel::GpuUse, Qt::Horizontal).toString(),
                 QStringLiteral("GPU use"));
    }

private:
    QString m_name = QStringLiteral("gpudeck-use-%1").arg(QCoreApplication::applicationPid());
    QString m_id;
    DockerClient *m_client = nullptr;
    GpuMonitor *m_monitor = nullptr;
};

QTEST_MAIN(TestContainerUse)
#include "tst_containeruse.moc"
