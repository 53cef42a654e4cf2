#include "gpus/SparkDelegate.h"

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
