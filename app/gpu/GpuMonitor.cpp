#include "GpuMonitor.h"

#include "GpuInventory.h"

GpuMonitor::GpuMonitor(QObject *parent) : QObject(parent), m_inventory(new GpuInventory(this))
{
    m_timer.setInterval(DefaultIntervalMs);
    m_timer.setTimerType(Qt::CoarseTimer); // a second's stats need no precise wake-ups
    connect(&m_timer, &QTimer::timeout, this, &GpuMonitor::tick);
    connect(m_inventory, &GpuInventory::finished, this, [this](const GpuSnapshot &s) {
        m_latest = s;
        emit updated(s);
    });
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
