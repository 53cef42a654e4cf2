#pragma once

#include "gpu/GpuHistory.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>

class GpuMonitor;

// One container's GPU use over its life, small enough for a log tab's header: its GPU memory
// (its processes' memory summed over its GPUs) as a filled band, the utilisation (the highest of
// its GPUs) as a line over it, and the figures now in words beside them. Fed by the GpuMonitor of
// the container's host: every read redraws it from the monitor's history. Colours from the
// palette; the accessible description says the same in words.
class ContainerUsePlot : public QWidget
{
    Q_OBJECT

public:
    explicit ContainerUsePlot(QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // The host's monitor; null: nothing to show (a remote engine without GPU figures).
    void setMonitor(GpuMonitor *monitor);
    // The container (empty until it is created); heldGpus: the UUIDs its device request holds.
    void setContainer(const QString &id, const QStringList &heldGpus = {});
    QString container() const { return m_id; }

    // Reads the monitor's history again and repaints (each read calls it).
    void refresh();

    const QList<GpuHistory::ContainerPoint> &points() const { return m_points; }
    // "GPU use: 2.0 GiB now (peak 3.5 GiB), utilisation 40 % now (peak 90 %), over 12 min".
    QString summary() const;
    // Where the series are drawn, for tests that look at pixels.
    QRect plotArea() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QPointer<GpuMonitor> m_monitor;
    QMetaObject::Connection m_updated;
    QString m_id;
    QStringList m_held;
    qint64 m_since = 0; // held GPUs count from when the container was given
    QList<GpuHistory::ContainerPoint> m_points;
};
