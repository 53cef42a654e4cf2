#include "gpus/GpuPanel.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

// The GPU panel names who is on a busy GPU, and warns when the user ticks it.
class TestGpuPanel : public QObject
{
    Q_OBJECT
private slots:
    void busyGpuNamesOwnersAndWarnsAtTick();
    void cdiDevicesMarkedAndMissingOnesNamed();
};

void TestGpuPanel::busyGpuNamesOwnersAndWarnsAtTick()
{
    GpuSnapshot s;
    s.driverVersion = QStringLiteral("580.159.04");
    for (int i = 0; i < 2; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = QStringLiteral("GPU-%1").arg(i);
        g.name = QStringLiteral("NVIDIA H200");
        g.memoryTotal = 141LL << 30;
        g.memoryUsed = i == 1 ? 42LL << 30 : 0;
        g.gpuUtil = i == 1 ? 97 : 0;
        g.processesKnown = true;
        s.gpus.append(g);
    }
    GpuInfo::Process train;
    train.pid = 4242;
    train.usedMemory = 40LL << 30;
    train.container = {QString(64, QLatin1Char('a')), QStringLiteral("train-llm"),
                       QStringLiteral("pytorch:2.4"), QStringLiteral("docker"), false};
    GpuInfo::Process eval;
    eval.pid = 4243;
    eval.usedMemory = 2LL << 30;
    eval.user = QStringLiteral("alice");
    eval.command = QStringLiteral("python train.py");
    s.gpus[1].processes = {train, eval};

    GpuPanel panel;
    panel.resize(900, 300);
    panel.show();
    panel.setSnapshot(s);
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    auto *warning = panel.findChild<QLabel *>(QStringLiteral("gpuBusyWarning"));
    QVERIFY(tree && warning);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::ProcessColumn), QStringLiteral("free"));
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn),
             QStringLiteral("train-llm (container) 40 GiB · alice: python train.py 2 GiB"));
    const QString tip = tree->topLevelItem(1)->toolTip(GpuPanel::ProcessColumn);
    QVERIFY2(tip.contains(QLatin1String("image pytorch:2.4"))
                 && tip.contains(QLatin1String("PID 4243")),
             qPrintable(tip));

    // Ticking the idle GPU says nothing; ticking the busy one warns, and the warning goes with the tick.
    QSignalSpy changes(&panel, &GpuPanel::busyWarningChanged);
    tree->topLevelItem(0)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(warning->isHidden());
    QVERIFY(panel.busyWarning().isEmpty());
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QTRY_VERIFY(warning->isVisible());
    QVERIFY2(warning->text().contains(
                 QLatin1String("GPU 1 is in use by train-llm (container) 40 GiB")),
             qPrintable(warning->text()));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.at(0).at(0).toString(), panel.busyWarning());
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Unchecked);
    QVERIFY(warning->isHidden());
    QCOMPARE(changes.count(), 2);

    // A container launched from this window is yours: no warning for it.
    s.gpus[1].processes = {train};
    s.gpus[1].processes[0].container.yours = true;
    panel.setSnapshot(s);
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::ProcessColumn),
             QStringLiteral("train-llm (yours) 40 GiB"));
    QVERIFY(warning->isHidden());
}

// Which GPUs have a CDI device on the engine's host shows in the list; a CDI launch of a ticked
// GPU without one is named under the list before Launch, and nothing is said for other drivers.
void TestGpuPanel::cdiDevicesMarkedAndMissingOnesNamed()
{
    GpuSnapshot s;
    for (int i = 0; i < 3; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = QStringLiteral("GPU-%1").arg(i);
        g.name = QStringLiteral("NVIDIA H200");
        g.processesKnown = true;
        s.gpus.append(g);
    }
    GpuPanel panel;
    panel.show();
    panel.setSnapshot(s);
    auto *tree = panel.findChild<QTreeWidget *>(QStringLiteral("gpuTree"));
    auto *note = panel.findChild<QLabel *>(QStringLiteral("gpuCdiNote"));
    QVERIFY(tree && note);
    // not known yet
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200"));

    // GPU 0 by index, GPU 2 by UUID; "all" names no single GPU.
    panel.setCdiDevices({QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=GPU-2"),
                         QStringLiteral("nvidia.com/gpu=all")},
                        true);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200 · CDI"));
    QCOMPARE(tree->topLevelItem(1)->text(GpuPanel::NameColumn), QStringLiteral("H200"));
    QVERIFY(tree->topLevelItem(1)
                ->toolTip(GpuPanel::NameColumn)
                .contains(QLatin1String("No CDI device")));
    QCOMPARE(tree->topLevelItem(2)->data(GpuPanel::IndexColumn, GpuPanel::CdiRole).toString(),
             QStringLiteral("nvidia.com/gpu=GPU-2"));

    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(note->isHidden()); // the legacy driver does not need CDI devices
    panel.setCdiLaunch(true);
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().contains(QLatin1String("(1)"))
                 && note->text().contains(QLatin1String("nvidia-ctk cdi generate")),
             qPrintable(note->text()));
    tree->topLevelItem(1)->setCheckState(GpuPanel::IndexColumn, Qt::Unchecked);
    tree->topLevelItem(2)->setCheckState(GpuPanel::IndexColumn, Qt::Checked);
    QVERIFY(note->isHidden());

    // An engine without CDI: no marks.
    panel.setCdiDevices({}, false);
    QCOMPARE(tree->topLevelItem(0)->text(GpuPanel::NameColumn), QStringLiteral("H200"));
}

QTEST_MAIN(TestGpuPanel)
#include "tst_gpupanel.moc"
