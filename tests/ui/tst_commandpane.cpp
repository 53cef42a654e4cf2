#include "launch/CommandPane.h"

#include "GuiTestBase.h"
#include "launch/DockerRunExport.h"
#include "launch/KubernetesDraExport.h"
#include "launch/KubernetesExport.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

#include <memory>

// The equivalent commands: on a Podman engine a podman run line comes first, with the ticked GPUs
// as CDI devices, and it goes again for a Docker engine. The Kubernetes tab asks for the GPUs
// through the device plugin or through a DRA claim, as the user picks, and the pick comes back
// in the next pane (settings of the test's own).
class TestCommandPane : public GuiTestBase
{
    Q_OBJECT
private slots:
    void initTestCase() { useSettings(QStringLiteral("commandpane")); }
    void init() { QSettings().clear(); }

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

    void kubernetesOffersDevicePluginOrDra()
    {
        const QString uuid = QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666");
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
        spec.command = {QStringLiteral("nvidia-smi")};
        spec.gpus = GpuSelection::ofDevices({uuid});
        GpuInfo h100;
        h100.index = 0;
        h100.uuid = uuid;
        h100.name = QStringLiteral("NVIDIA H100 80GB HBM3");
        CommandPane pane;
        pane.setSpec(spec);
        pane.setInventory({h100});

        auto *tabs = pane.findChild<QTabWidget *>(QStringLiteral("commandTabs"));
        QVERIFY(tabs);
        int tab = -1;
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->tabText(i) == QLatin1String("Kubernetes"))
                tab = i;
        }
        QVERIFY(tab >= 0);
        tabs->setCurrentIndex(tab);
        auto *choice = pane.findChild<QComboBox *>(QStringLiteral("kubernetesGpus"));
        QVERIFY(choice);
        QCOMPARE(choice->count(), 2);
        QVERIFY(tabs->widget(tab)->isAncestorOf(choice));

        // The device plugin first: a count of its nvidia.com/gpu, the product of the picked GPU.
        QCOMPARE(pane.kubernetesGpus(), CommandPane::KubernetesGpus::DevicePlugin);
        const Result<QString> plugin = KubernetesExport::yaml(spec, {h100});
        QVERIFY(plugin);
        QCOMPARE(pane.kubernetes(), plugin.value());
        QVERIFY2(pane.kubernetes().contains(QLatin1String("nvidia.com/gpu: 1"))
                     && pane.kubernetes().contains(QLatin1String("NVIDIA-H100-80GB-HBM3")),
                 qPrintable(pane.kubernetes()));

        // DRA, picked as a user picks it: a claim on gpu.nvidia.com naming the GPU's UUID.
        choice->setFocus();
        QTest::keyClick(choice, Qt::Key_Down);
        QCOMPARE(pane.kubernetesGpus(), CommandPane::KubernetesGpus::Dra);
        QCOMPARE(pane.kubernetes(), KubernetesDraExport::yaml(spec));
        QVERIFY2(pane.kubernetes().contains(QLatin1String("resource.k8s.io/v1"))
                     && pane.kubernetes().contains(QLatin1String("gpu.nvidia.com"))
                     && pane.kubernetes().contains(uuid),
                 qPrintable(pane.kubernetes()));
        auto *text = pane.findChild<QPlainTextEdit *>(QStringLiteral("kubernetesText"));
        QVERIFY(text);
        QCOMPARE(text->toPlainText(), pane.kubernetes());
        auto *copy = pane.findChild<QToolButton *>(QStringLiteral("copyKubernetes"));
        QVERIFY(copy);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), pane.kubernetes());

        // The choice stays while the launch changes; "N free GPUs" stays a count for the
        // cluster even where the other tabs name the GPUs free here now.
        LaunchSpec free = spec;
        free.gpus = GpuSelection::ofFree(1);
        pane.setSpec(spec, free);
        QCOMPARE(pane.kubernetesGpus(), CommandPane::KubernetesGpus::Dra);
        QCOMPARE(pane.kubernetes(), KubernetesDraExport::yaml(free));
        QVERIFY(!pane.kubernetes().contains(uuid));

        // "All GPUs" for the device plugin is this host's count; without one, the sentence why.
        LaunchSpec all = spec;
        all.gpus = GpuSelection::all();
        pane.setKubernetesGpus(CommandPane::KubernetesGpus::DevicePlugin);
        pane.setSpec(all);
        QCOMPARE(pane.kubernetes(), KubernetesExport::yaml(all, {h100}).value());
        pane.setInventory({});
        QVERIFY2(pane.kubernetes().startsWith(QLatin1String("# "))
                     && !pane.kubernetes().contains(QLatin1String("kind: Job")),
                 qPrintable(pane.kubernetes()));
    }

    // The user's pick is remembered: a pane made afterwards (the next run's) shows it.
    void kubernetesChoiceComesBack()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
        spec.gpus = GpuSelection::ofDevices({QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-4444")});
        const auto pick = [](CommandPane &pane, Qt::Key key) {
            auto *choice = pane.findChild<QComboBox *>(QStringLiteral("kubernetesGpus"));
            QVERIFY(choice);
            choice->setFocus();
            QTest::keyClick(choice, key);
        };
        auto pane = std::make_unique<CommandPane>();
        QCOMPARE(pane->kubernetesGpus(), CommandPane::KubernetesGpus::DevicePlugin);
        pick(*pane, Qt::Key_Down);
        QCOMPARE(pane->kubernetesGpus(), CommandPane::KubernetesGpus::Dra);

        pane = std::make_unique<CommandPane>();
        QCOMPARE(pane->kubernetesGpus(), CommandPane::KubernetesGpus::Dra);
        pane->setSpec(spec);
        QCOMPARE(pane->kubernetes(), KubernetesDraExport::yaml(spec));

        pick(*pane, Qt::Key_Up);
        QCOMPARE(pane->kubernetesGpus(), CommandPane::KubernetesGpus::DevicePlugin);
        pane = std::make_unique<CommandPane>();
        QCOMPARE(pane->kubernetesGpus(), CommandPane::KubernetesGpus::DevicePlugin);
    }
};

QTEST_MAIN(TestCommandPane)
#include "tst_commandpane.moc"
