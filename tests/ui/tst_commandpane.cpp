#include "launch/CommandPane.h"

#include "launch/DockerRunExport.h"

#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTest>

// The equivalent commands: on a Podman engine a podman run line comes first, with the ticked GPUs
// as CDI devices, and it goes again for a Docker engine.
class TestCommandPane : public QObject
{
    Q_OBJECT
private slots:
    void podmanEngineAddsThePodmanLine()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
        spec.command = {QStringLiteral("nvidia-smi")};
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("2")});
        spec.autoRemove = true;
        CommandPane pane;
        pane.setSpec(spec);
        auto *tabs = pane.findChild<QTabWidget *>(QStringLiteral("commandTabs"));
        QVERIFY(tabs);
        const int docker = tabs->count();
        QVERIFY(pane.podmanRun().isEmpty());

        pane.setPodman(true);
        QCOMPARE(tabs->count(), docker + 1);
        QCOMPARE(tabs->tabText(0), QStringLiteral("podman run"));
        QCOMPARE(tabs->currentIndex(), 0);
        QCOMPARE(pane.podmanRun(), DockerRunExport::podmanCommandLine(spec, false));
        QVERIFY2(pane.podmanRun().contains(QLatin1String("--device nvidia.com/gpu=0"))
                     && pane.podmanRun().contains(QLatin1String("--device nvidia.com/gpu=2")),
                 qPrintable(pane.podmanRun()));
        QVERIFY(pane.dockerRun().startsWith(QLatin1String("docker run"))); // still beside it

        spec.gpus = GpuSelection::ofDevices({QStringLiteral("1")});
        pane.setSpec(spec);
        QVERIFY(pane.podmanRun().contains(QLatin1String("--device nvidia.com/gpu=1")));

        pane.setPodman(false);
        QCOMPARE(tabs->count(), docker);
        QVERIFY(pane.podmanRun().isEmpty());
    }

    // Podman before 5.4 drops the SDK's and compose's GPU requests: the Python and Compose tabs
    // say so with the podman command; from 5.4 on (and with no version known) they do not.
    void oldPodmanExportsSayTheyDropGpus()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
        spec.gpus = GpuSelection::ofCount(1);
        CommandPane pane;
        pane.setSpec(spec);
        const QString warning = QStringLiteral("Podman 4.3.1 drops the GPUs");
        pane.setPodman(true, QStringLiteral("4.3.1"));
        QVERIFY2(pane.python().contains(warning), qPrintable(pane.python()));
        QVERIFY2(pane.compose().contains(warning), qPrintable(pane.compose()));
        QVERIFY(pane.python().contains(DockerRunExport::podmanCommandLine(spec, false)));
        pane.setPodman(true, QStringLiteral("5.8.6"));
        QVERIFY(!pane.python().contains(QLatin1String("drops the GPUs")));
        QVERIFY(!pane.compose().contains(QLatin1String("drops the GPUs")));
        pane.setPodman(true);
        QVERIFY(!pane.python().contains(QLatin1String("drops the GPUs")));
    }
};

QTEST_MAIN(TestCommandPane)
#include "tst_commandpane.moc"
