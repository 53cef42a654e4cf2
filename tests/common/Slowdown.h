#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

#include <ctime>

// How much slower than an idle machine this thread runs right now: spins for `ms` of wall time
// and divides it by the CPU time the thread got meanwhile (1 = a core of its own, 2 = half a
// core). Timing bounds in tests are multiplied by it, so that they hold on a loaded 2-core
// machine (other tests, a CPU hog) without going slack on an idle one.
inline double measuredSlowdown(int ms = 200)
{
    auto cpuNs = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const qint64 cpuStart = cpuNs();
    QElapsedTimer wall;
    wall.start();
    volatile quint64 sink = 0;
    while (wall.elapsed() < ms)
        sink = sink + 1;
    const double cpu = double(cpuNs() - cpuStart) / 1e6;
    const double slowdown = double(wall.elapsed()) / qMax(cpu, 1.0);
    return qBound(1.0, slowdown, 20.0);
}
