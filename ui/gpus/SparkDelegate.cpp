#include "gpus/SparkDelegate.h"

#include "gpu/GpuHistory.h"

#include <QPainter>
#include <QPainterPath>

void SparkDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const
{
    BarDelegate::paint(painter, option, index);
    const QList<double> series = index.data(SeriesRole).value<QList<double>>();
    if (series.size() < 2)
        return;
    // Over the bar's part of the cell (the figure sits at its right, as BarDelegate puts it).
    const QString text = index.data(Qt::DisplayRole).toString();
    const QRectF area = QRectF(option.rect.adjusted(4, 5, -4, -5))
                            .adjusted(0, 0, -(option.fontMetrics.horizontalAdvance(text) + 6), 0);
    if (area.width() < 8 || area.height() < 4)
        return;
    QPainterPath path;
    const double step = area.width() / double(series.size() - 1);
    for (qsizetype i = 0; i < series.size(); ++i) {
        const QPointF p(area.left() + step * double(i),
                        area.bottom() - qBound(0.0, series.at(i), 1.0) * area.height());
        if (i == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor pen = option.palette.color(
        option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text);
    pen.setAlpha(170);
    painter->setPen(QPen(pen, 1.2));
    painter->drawPath(path);
    painter->restore();
}

SparkDelegate::Minute SparkDelegate::lastMinute(const GpuHistory *history, const QString &uuid)
{
    constexpr qint64 kMinuteMs = 60000;
    constexpr double kMiB = 1024.0 * 1024.0;
    Minute minute;
    const GpuHistory::GpuSeries *s = history ? history->gpu(uuid) : nullptr;
    if (!s)
        return minute;
    const qint64 since = s->samples.isEmpty() ? 0 : s->samples.last().msecs - kMinuteMs;
    const double total = s->memoryTotal > 0 ? double(s->memoryTotal) / kMiB : 0.0;
    qsizetype first = s->samples.size(); // from the newest back: a minute, not an hour
    while (first > 0 && s->samples.at(first - 1).msecs > since)
        --first;
    for (qsizetype k = first; k < s->samples.size(); ++k) {
        const GpuSample &x = s->samples.at(k);
        minute.utilisation << (x.gpuUtil < 0 ? 0.0 : x.gpuUtil / 100.0);
        minute.memory << (total > 0 && x.memoryUsedMiB >= 0 ? x.memoryUsedMiB / total : 0.0);
    }
    return minute;
}
