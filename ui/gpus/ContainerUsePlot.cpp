#include "gpus/ContainerUsePlot.h"

#include "gpu/GpuMonitor.h"
#include "gpus/HistoryPlot.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

QString gib(qint64 bytes)
{
    return QString::number(double(bytes) / kGiB, 'f', 1);
}

} // namespace

ContainerUsePlot::ContainerUsePlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("containerUsePlot"));
    setAccessibleName(tr("The container's GPU use"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    hide(); // until there is something to draw
}

QSize ContainerUsePlot::sizeHint() const
{
    return {360, fontMetrics().height() * 2 + 6};
}

QSize ContainerUsePlot::minimumSizeHint() const
{
    return {120, fontMetrics().height() * 2 + 6};
}

void ContainerUsePlot::setMonitor(GpuMonitor *monitor)
{
    disconnect(m_updated);
    m_monitor = monitor;
    if (monitor)
        m_updated = connect(monitor, &GpuMonitor::updated, this, &ContainerUsePlot::refresh);
    refresh();
}

void ContainerUsePlot::setContainer(const QString &id, const QStringList &heldGpus)
{
    if (id == m_id && heldGpus == m_held)
        return;
    if (id != m_id)
        m_since = QDateTime::currentMSecsSinceEpoch();
    m_id = id;
    m_held = heldGpus;
    refresh();
}

void ContainerUsePlot::refresh()
{
    m_points = m_monitor && !m_id.isEmpty()
                   ? m_monitor->history().containerUse(m_id, m_held, m_since)
                   : QList<GpuHistory::ContainerPoint>();
    const QString text = summary();
    setAccessibleDescription(text);
    setToolTip(text);
    setVisible(!m_points.isEmpty());
    update();
}

QString ContainerUsePlot::summary() const
{
    if (m_points.isEmpty())
        return tr("No GPU use recorded for this container.");
    qint64 memPeak = 0;
    int utilPeak = -1;
    for (const GpuHistory::ContainerPoint &p : m_points) {
        memPeak = qMax(memPeak, p.memoryBytes);
        utilPeak = qMax(utilPeak, p.gpuUtil);
    }
    const GpuHistory::ContainerPoint &now = m_points.last();
    const qint64 minutes = (now.msecs - m_points.first().msecs) / 60000;
    QString text = tr("GPU use: %1 GiB now (peak %2 GiB)").arg(gib(now.memoryBytes), gib(memPeak));
    if (utilPeak >= 0)
        text += tr(", utilisation %1 % now (peak %2 %)").arg(qMax(0, now.gpuUtil)).arg(utilPeak);
    text += minutes < 1 ? tr(", over the last minute") : tr(", over %1 min").arg(minutes);
    return text;
}

QRect ContainerUsePlot::plotArea() const
{
    return QRect(0, 0, qMin(width() / 2, 220), height()).adjusted(1, 2, -1, -2);
}

void ContainerUsePlot::paintEvent(QPaintEvent *)
{
    if (m_points.isEmpty())
        return;
    QPainter p(this);
    const QPalette &pal = palette();
    const QRect area = plotArea();
    p.fillRect(area, pal.color(QPalette::Base));
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(area.adjusted(0, 0, -1, -1));

    qint64 memPeak = 1;
    for (const GpuHistory::ContainerPoint &x : m_points)
        memPeak = qMax(memPeak, x.memoryBytes);
    const qint64 t0 = m_points.first().msecs;
    const qint64 span = qMax<qint64>(1, m_points.last().msecs - t0);
    const auto xAt = [&](qint64 msecs) {
        return area.left() + double(msecs - t0) / double(span) * (area.width() - 1);
    };
    const auto yAt = [&](double fraction) {
        return area.bottom() - fraction * (area.height() - 1);
    };

    // Memory: a band from the bottom, scaled to its own peak (the words say the figures).
    QPainterPath band;
    band.moveTo(xAt(t0), area.bottom());
    for (const GpuHistory::ContainerPoint &x : m_points)
        band.lineTo(xAt(x.msecs), yAt(double(x.memoryBytes) / double(memPeak) * 0.9));
    band.lineTo(xAt(m_points.last().msecs), area.bottom());
    band.closeSubpath();
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillPath(band, HistoryPlot::seriesColour(0, pal));

    // Utilisation: a line of the text colour, 0..100 %.
    QPainterPath line;
    bool started = false;
    for (const GpuHistory::ContainerPoint &x : m_points) {
        if (x.gpuUtil < 0) {
            started = false;
            continue;
        }
        const QPointF pt(xAt(x.msecs), yAt(x.gpuUtil / 100.0));
        if (started)
            line.lineTo(pt);
        else
            line.moveTo(pt);
        started = true;
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(pal.color(QPalette::Text), 1.5));
    p.drawPath(line);

    // The figures now, beside the plot.
    p.setPen(pal.color(QPalette::WindowText));
    const QRect words = rect().adjusted(area.right() + 8, 0, 0, 0);
    p.drawText(words, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap,
               fontMetrics().elidedText(summary(), Qt::ElideRight, words.width() * 2));
}
