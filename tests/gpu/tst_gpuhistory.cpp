#include "gpu/GpuHistory.h"
#include "gpu/SampleRing.h"

#include <QTest>

// A scripted hour (and a quarter) played in fast time: snapshots with their own timestamps, fed
// straight to the history, no waiting.
class TestGpuHistory : public QObject
{
    Q_OBJECT
private slots:
    void ringKeepsTheNewestInOrder();
    void scriptedHourFillsTheBuffers();
    void memoryIsFixed();
    void ownersByContainerElsePid();
    void resentSnapshotRenamesWithoutASample();
    void csvHasARowPerSample();
    void containerUseSumsMemoryAndTakesTheBusiestGpu();
    void containerUseTakesItsProcessesUtilisation();
};

namespace {

constexpr qint64 kMiB = 1024 * 1024;
const qint64 kStart = QDateTime(QDate(2026, 12, 6), QTime(4, 0), Qt::UTC).toMSecsSinceEpoch();

QString uuid(int i)
{
    return QStringLiteral("GPU-%1").arg(i);
}

// Second s of the script on `gpus` GPUs: utilisation s % 101, memory s MiB, a container on GPU 0
// for the first 20 minutes, then a bare process.
GpuSnapshot second(int s, int gpus = 2)
{
    GpuSnapshot snap;
    snap.taken = QDateTime::fromMSecsSinceEpoch(kStart + qint64(s) * 1000, Qt::UTC);
    for (int i = 0; i < gpus; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = uuid(i);
        g.name = QStringLiteral("NVIDIA H100");
        g.memoryTotal = 81559 * kMiB;
        g.memoryUsed = (s + i) * kMiB;
        g.gpuUtil = (s + i) % 101;
        g.temperature = 30 + s % 50;
        g.powerDraw = 70.5 + i;
        g.smClock = 1410 + s % 400;
        g.processesKnown = true;
        if (i == 0) {
            GpuInfo::Process p;
            p.pid = s < 1200 ? 4242 : 5151;
            p.usedMemory = 512 * kMiB;
            if (s < 1200) {
                p.container.id = QStringLiteral("c0ffee").repeated(10) + QStringLiteral("abcd");
                p.container.name = QStringLiteral("train-llm");
            } else {
                p.user = QStringLiteral("alice");
            }
            g.processes << p << p; // two processes of one owner: one series, memory summed
            g.processes[1].pid += 1;
        }
        snap.gpus << g;
    }
    return snap;
}

} // namespace

void TestGpuHistory::ringKeepsTheNewestInOrder()
{
    SampleRing<int> ring(3);
    QVERIFY(ring.isEmpty());
    for (int i = 1; i <= 5; ++i)
        ring.push(i);
    QCOMPARE(ring.size(), 3);
    QCOMPARE(ring.at(0), 3);
    QCOMPARE(ring.at(1), 4);
    QCOMPARE(ring.last(), 5);
}

void TestGpuHistory::scriptedHourFillsTheBuffers()
{
    GpuHistory h;
    const int seconds = 3600 + 900;
    for (int s = 0; s < seconds; ++s)
        h.record(second(s));
    QCOMPARE(h.uuids(), QStringList({uuid(0), uuid(1)}));
    const GpuHistory::GpuSeries *g1 = h.gpu(uuid(1));
    QVERIFY(g1);
    QCOMPARE(g1->samples.size(), GpuHistory::kSamples);
    // The last hour, oldest first, every figure as played.
    for (qsizetype k = 0; k < g1->samples.size(); ++k) {
        const int s = seconds - 3600 + int(k);
        const GpuSample &x = g1->samples.at(k);
        QCOMPARE(x.msecs, kStart + qint64(s) * 1000);
        QCOMPARE(x.gpuUtil, qint16((s + 1) % 101));
        QCOMPARE(x.memoryUsedMiB, s + 1);
        QCOMPARE(x.temperature, qint16(30 + s % 50));
        QCOMPARE(x.powerDeciW, 715);
        QCOMPARE(x.smClock, 1410 + s % 400);
    }
    QCOMPARE(g1->index, 1);
    QCOMPARE(g1->memoryTotal, 81559 * kMiB);
}

void TestGpuHistory::memoryIsFixed()
{
    GpuHistory h;
    h.record(second(0, 8));
    h.record(second(1300, 8)); // the second owner arrives
    const qsizetype first = h.memoryBytes();
    for (int s = 1301; s < 2 * 3600; ++s)
        h.record(second(s, 8));
    const qsizetype afterAnHour = h.memoryBytes();
    QVERIFY(afterAnHour <= first); // the container's series aged out, nothing grew
    for (int s = 2 * 3600; s < 3 * 3600; ++s)
        h.record(second(s, 8));
    QCOMPARE(h.memoryBytes(), afterAnHour);
    QVERIFY2(h.memoryBytes() < 10 * 1024 * 1024, qPrintable(QString::number(h.memoryBytes())));
}

void TestGpuHistory::ownersByContainerElsePid()
{
    GpuHistory h;
    for (int s = 0; s < 1800; ++s)
        h.record(second(s));
    const GpuHistory::GpuSeries *g0 = h.gpu(uuid(0));
    QVERIFY(g0);
    QCOMPARE(g0->owners.size(), 3); // the container, then PIDs 5151 and 5152
    QCOMPARE(g0->owners.at(0).label, QStringLiteral("train-llm"));
    QVERIFY(g0->owners.at(0).key.startsWith(QLatin1String("container:c0ffee")));
    QCOMPARE(g0->owners.at(0).samples.size(), 1200);
    QCOMPARE(g0->owners.at(0).samples.last().memoryBytes, 1024 * kMiB); // both processes
    QCOMPARE(g0->owners.at(0).samples.last().msecs, kStart + 1199 * 1000);
    QCOMPARE(g0->owners.at(1).key, QStringLiteral("pid:5151"));
    QCOMPARE(g0->owners.at(1).label, QStringLiteral("PID 5151 (alice)"));
    QCOMPARE(g0->owners.at(1).samples.size(), 600);
    QVERIFY(h.gpu(uuid(1))->owners.isEmpty());
}

void TestGpuHistory::resentSnapshotRenamesWithoutASample()
{
    GpuHistory h;
    GpuSnapshot s = second(0);
    s.gpus[0].processes[0].container.name.clear();
    s.gpus[0].processes[1].container.name.clear();
    h.record(s);
    QCOMPARE(h.gpu(uuid(0))->owners.at(0).label, QStringLiteral("c0ffeec0ffee"));
    h.record(second(0)); // the monitor's re-send once the engine named the container
    QCOMPARE(h.gpu(uuid(0))->samples.size(), 1);
    QCOMPARE(h.gpu(uuid(0))->owners.at(0).samples.size(), 1);
    QCOMPARE(h.gpu(uuid(0))->owners.at(0).label, QStringLiteral("train-llm"));
}

void TestGpuHistory::csvHasARowPerSample()
{
    GpuHistory h;
    for (int s = 1198; s < 1201; ++s)
        h.record(second(s));
    QVERIFY(h.csv(QStringLiteral("GPU-none")).isEmpty());
    const QList<QByteArray> lines = h.csv(uuid(0)).trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0),
             QByteArray("time,gpu_util_percent,memory_used_mib,temperature_c,power_w,"
                        "sm_clock_mhz,train-llm memory_mib,PID 5151 (alice) memory_mib,"
                        "PID 5152 (alice) memory_mib"));
    QCOMPARE(lines.at(1), QByteArray("2026-12-06T04:19:58.000Z,87,1198,78,70.5,1808,1024,0,0"));
    QCOMPARE(lines.at(3), QByteArray("2026-12-06T04:20:00.000Z,89,1200,30,70.5,1410,0,512,512"));
}

// A container on GPUs 0 and 1 (1 GiB and 3 GiB, at 20 % and 70 %), another on GPU 2, GPU 3 held
// by the first without a process: memory sums its processes over its GPUs, utilisation is the
// busiest of its GPUs, and the held GPU counts from `since` on.
void TestGpuHistory::containerUseSumsMemoryAndTakesTheBusiestGpu()
{
    const QString a = QStringLiteral("a").repeated(64);
    const QString b = QStringLiteral("b").repeated(64);
    GpuHistory history;
    for (int s = 0; s < 10; ++s) {
        GpuSnapshot snap;
        snap.taken = QDateTime::fromMSecsSinceEpoch(kStart + qint64(s) * 1000, Qt::UTC);
        const int util[4] = {20, 70, 95, s >= 5 ? 99 : 0};
        for (int i = 0; i < 4; ++i) {
            GpuInfo g;
            g.index = i;
            g.uuid = uuid(i);
            g.gpuUtil = util[i];
            g.processesKnown = true;
            GpuInfo::Process p;
            p.pid = 100 + i;
            p.usedMemory = (i == 1 ? 3 : 1) * 1024 * kMiB;
            p.container.id = i == 2 ? b : a;
            if (i < 3 && s >= 2) // the processes start at second 2
                g.processes << p;
            snap.gpus << g;
        }
        history.record(snap);
    }
    const QList<GpuHistory::ContainerPoint> use = history.containerUse(a.left(12));
    QCOMPARE(use.size(), 8);
    QCOMPARE(use.first().msecs, kStart + 2000);
    for (const GpuHistory::ContainerPoint &p : use) {
        QCOMPARE(p.memoryBytes, 4 * 1024 * kMiB);
        QCOMPARE(p.gpuUtil, 70);
    }
    // With GPU 3 held from second 5 on: its 99 % counts from then, its memory (none) adds nothing.
    const QList<GpuHistory::ContainerPoint> held = history.containerUse(a, {uuid(3)},
                                                                        kStart + 5000);
    QCOMPARE(held.size(), 8);
    QCOMPARE(held.at(2).gpuUtil, 70); // second 4
    QCOMPARE(held.at(3).gpuUtil, 99); // second 5
    QCOMPARE(held.last().memoryBytes, 4 * 1024 * kMiB);
    // The other container has its own GPU only; nobody's ID has nothing.
    const QList<GpuHistory::ContainerPoint> other = history.containerUse(b);
    QCOMPARE(other.size(), 8);
    QCOMPARE(other.last().memoryBytes, 1024 * kMiB);
    QCOMPARE(other.last().gpuUtil, 95);
    QVERIFY(history.containerUse(QStringLiteral("c0ffee")).isEmpty());
    QVERIFY(history.containerUse(QString()).isEmpty());
}

// NVML's per-process figures: GPU 0 is 80 % busy, but the container's own process there had 10 %
// (another owner's had 70 %): its utilisation is 10, not 80. Two processes of it on GPU 1 (30 %
// and 50 %, the GPU at 90 %) sum to 80, the busiest of its GPUs; capped at 100 when they sum to
// more. A second with no per-process figure falls back to the GPU's utilisation.
void TestGpuHistory::containerUseTakesItsProcessesUtilisation()
{
    const QString a = QStringLiteral("a").repeated(64);
    const QString b = QStringLiteral("b").repeated(64);
    GpuHistory history;
    for (int s = 0; s < 4; ++s) {
        GpuSnapshot snap;
        snap.taken = QDateTime::fromMSecsSinceEpoch(kStart + qint64(s) * 1000, Qt::UTC);
        for (int i = 0; i < 2; ++i) {
            GpuInfo g;
            g.index = i;
            g.uuid = uuid(i);
            g.gpuUtil = i == 0 ? 80 : 90;
            g.processesKnown = true;
            GpuInfo::Process p;
            p.usedMemory = 1024 * kMiB;
            p.container.id = a;
            if (i == 0) {
                p.pid = 100;
                p.smUtil = 10;
                GpuInfo::Process other = p;
                other.pid = 200;
                other.container.id = b;
                other.smUtil = 70;
                g.processes << p << other;
            } else if (s < 2) { // GPU 1 from second 2 on: none
                p.pid = 101;
                p.smUtil = s == 0 ? 30 : 60;
                g.processes << p;
                p.pid = 102;
                p.smUtil = 50;
                g.processes << p;
            }
            if (s == 3) { // a read without per-process figures (NOT_FOUND, nvidia-smi)
                for (GpuInfo::Process &q : g.processes)
                    q.smUtil = -1;
            }
            snap.gpus << g;
        }
        history.record(snap);
    }
    const QList<GpuHistory::ContainerPoint> use = history.containerUse(a);
    QCOMPARE(use.size(), 4);
    QCOMPARE(use.at(0).gpuUtil, 80);  // GPU 1: 30 + 50
    QCOMPARE(use.at(1).gpuUtil, 100); // GPU 1: 60 + 50, capped
    QCOMPARE(use.at(2).gpuUtil, 10);  // GPU 0 only, 80 % busy, its process 10 %
    QCOMPARE(use.at(3).gpuUtil, 80);  // no per-process figure: the GPU's
    QCOMPARE(use.at(2).memoryBytes, 1024 * kMiB);
    const QList<GpuHistory::ContainerPoint> other = history.containerUse(b);
    QCOMPARE(other.size(), 4);
    QCOMPARE(other.at(0).gpuUtil, 70);
    QCOMPARE(other.at(3).gpuUtil, 80);
    // The owner's samples keep the figure, -1 where there was none.
    QCOMPARE(history.gpu(uuid(0))->owners.at(0).samples.at(0).smUtil, qint16(10));
    QCOMPARE(history.gpu(uuid(0))->owners.at(0).samples.at(3).smUtil, qint16(-1));
}

QTEST_GUILESS_MAIN(TestGpuHistory)
#include "tst_gpuhistory.moc"
