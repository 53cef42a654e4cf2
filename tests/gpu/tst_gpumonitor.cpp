#include "FakeSmi.h"

#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

class TestGpuMonitor : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void defaults();
    void oneUpdatePerRefresh();
    void pauseAndResume();
    void crossesThreads();
    void slowNvidiaSmiDoesNotBlock();
    void slowNvmlInitDoesNotBlock();

private:
    QByteArray m_path;
};

void TestGpuMonitor::init()
{
    m_path = qgetenv("PATH");
    qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
    qputenv("GPUDECK_FAKE_NVML_SCENARIO", "two");
}

void TestGpuMonitor::cleanup()
{
    qputenv("PATH", m_path);
    qunsetenv("GPUDECK_NVML_PATH");
    qunsetenv("GPUDECK_FAKE_NVML_SCENARIO");
    qunsetenv("GPUDECK_FAKE_NVML_INIT_MS");
}

void TestGpuMonitor::defaults()
{
    GpuMonitor monitor;
    QCOMPARE(monitor.interval(), 1000);
    QVERIFY(!monitor.isRunning());
    monitor.setInterval(250);
    QCOMPARE(monitor.interval(), 250);
}

void TestGpuMonitor::oneUpdatePerRefresh()
{
    GpuMonitor monitor;
    monitor.setInterval(100);
    QSignalSpy spy(&monitor, &GpuMonitor::updated);
    QElapsedTimer t;
    t.start();
    monitor.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 5, 3000);
    monitor.pause();
    const qint64 elapsed = t.elapsed();
    // One read at start, then one per interval: never more updates than ticks.
    QVERIFY2(spy.count() <= elapsed / 100 + 2, qPrintable(QString::number(spy.count())));
    for (const QList<QVariant> &args : std::as_const(spy))
        QCOMPARE(args.at(0).value<GpuSnapshot>().gpus.size(), 2);
    QCOMPARE(monitor.latest().gpus.size(), 2);
}

void TestGpuMonitor::pauseAndResume()
{
    GpuMonitor monitor;
    monitor.setInterval(50);
    QSignalSpy spy(&monitor, &GpuMonitor::updated);
    monitor.start();
    QTRY_VERIFY(spy.count() >= 2);
    monitor.pause();
    QVERIFY(!monitor.isRunning());
    QTest::qWait(20); // a read already under way may still report
    const int paused = spy.count();
    QTest::qWait(300);
    QCOMPARE(spy.count(), paused);
    monitor.resume();
    QVERIFY(monitor.isRunning());
    QTRY_VERIFY(spy.count() > paused);
}

void TestGpuMonitor::crossesThreads()
{
    GpuMonitor monitor;
    QThread thread;
    QObject receiver;
    receiver.moveToThread(&thread);
    thread.start();
    std::atomic<int> gpus{-1};
    connect(
        &monitor, &GpuMonitor::updated, &receiver,
        [&gpus](const GpuSnapshot &s) { gpus = static_cast<int>(s.gpus.size()); },
        Qt::QueuedConnection);
    monitor.start();
    QTRY_COMPARE(gpus.load(), 2);
    thread.quit();
    thread.wait();
}

void TestGpuMonitor::slowNvidiaSmiDoesNotBlock()
{
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    FakeSmi smi(FakeSmi::Mode::Hang);
    qputenv("PATH", smi.pathOnly());

    GpuMonitor monitor;
    monitor.inventory()->setNvidiaSmiTimeout(1500);
    QSignalSpy spy(&monitor, &GpuMonitor::updated);
    int ticks = 0;
    QTimer probe;
    connect(&probe, &QTimer::timeout, this, [&ticks] { ++ticks; });
    probe.start(20);

    monitor.start();
    // start() only launches the process: the loop keeps running while nvidia-smi hangs. Ticks
    // counted, not timed, so that a loaded machine does not fail it (blocked, there would be none).
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 5, 1000);
    QCOMPARE(spy.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 5000); // then the timeout reports
    QCOMPARE(spy.at(0).at(0).value<GpuSnapshot>().error.code(), Error::Code::Timeout);
}

void TestGpuMonitor::slowNvmlInitDoesNotBlock()
{
    // nvmlInit takes 1.5 s; a 20 ms timer on this thread must keep firing meanwhile.
    constexpr int initMs = 1500;
    qputenv("GPUDECK_FAKE_NVML_INIT_MS", QByteArray::number(initMs));
    GpuMonitor monitor;
    int ticksBeforeUpdate = -1;
    int ticks = 0;
    qint64 longestGap = 0;
    QElapsedTimer sinceTick;
    QTimer probe;
    connect(&probe, &QTimer::timeout, this, [&] {
        longestGap = qMax(longestGap, sinceTick.restart());
        ++ticks;
    });
    connect(&monitor, &GpuMonitor::updated, this, [&] {
        if (ticksBeforeUpdate < 0)
            ticksBeforeUpdate = ticks;
    });
    QSignalSpy spy(&monitor, &GpuMonitor::updated);
    sinceTick.start();
    probe.start(20);
    monitor.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 1, 30000);
    probe.stop();
    qInfo("event loop while nvmlInit ran: %d ticks of 20 ms before the first update, longest gap "
          "%lld ms",
          ticksBeforeUpdate, longestGap);
    // Ordering, not timing: on the GUI thread the init would run inside start() and no tick could
    // come before the update. Five of the ~75 expected leaves room for a loaded machine.
    QVERIFY2(ticksBeforeUpdate >= 5, qPrintable(QString::number(ticksBeforeUpdate)));
    const GpuSnapshot first = spy.at(0).at(0).value<GpuSnapshot>();
    QVERIFY2(first.ok(), qPrintable(first.error.what()));
    QCOMPARE(first.gpus.size(), 2);
    QCOMPARE(first.source, GpuSnapshot::Source::Nvml);
    // Later reads come from the same, now open, library without another init.
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 5000);
    QCOMPARE(spy.last().at(0).value<GpuSnapshot>().gpus.size(), 2);
}

QTEST_GUILESS_MAIN(TestGpuMonitor)
#include "tst_gpumonitor.moc"
