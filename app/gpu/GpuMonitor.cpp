#include "GpuMonitor.h"

#include "GpuInventory.h"

#include "engine/ContainerDirectory.h"

GpuMonitor::GpuMonitor(QObject *parent) : QObject(parent), m_inventory(new GpuInventory(this))
{
    m_timer.setInterval(DefaultIntervalMs);
    m_timer.setTimerType(Qt::CoarseTimer); // a second's stats need no precise wake-ups
    connect(&m_timer, &QTimer::timeout, this, &GpuMonitor::tick);
    connect(m_inventory, &GpuInventory::finished, this, [this](const GpuSnapshot &s) {
        m_latest = s;
        m_history.record(s);
        emit updated(s);
    });
    m_rename.setSingleShot(true);
    m_rename.setInterval(0);
    connect(&m_rename, &QTimer::timeout, this, [this]() {
        GpuSnapshot s = m_latest;
        m_inventory->owners().nameContainers(s);
        bool same = true;
        for (qsizetype i = 0; i < s.gpus.size() && same; ++i)
            same = s.gpus.at(i).processes == m_latest.gpus.at(i).processes;
        if (same)
            return;
        m_latest = s;
        m_history.record(s); // same time: renews the owners' names only
        emit updated(s);
    });
}

void GpuMonitor::setContainerDirectory(ContainerDirectory *directory)
{
    disconnect(m_directoryChanged);
    m_inventory->setContainerDirectory(directory);
    if (directory) {
        m_directoryChanged = connect(directory, &ContainerDirectory::changed, &m_rename,
                                     qOverload<>(&QTimer::start));
    }
}

GpuMonitor::~GpuMonitor() = default;

void GpuMonitor::setInterval(int ms)
{
    m_timer.setInterval(qMax(50, ms));
}

void GpuMonitor::start()
{
    m_timer.start();
    tick();
}

void GpuMonitor::pause()
{
    m_timer.stop();
}

void GpuMonitor::resume()
{
    if (!m_timer.isActive())
        start();
}

void GpuMonitor::tick()
{
    m_inventory->refresh();
}
