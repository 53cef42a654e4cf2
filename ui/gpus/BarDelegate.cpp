#include "gpus/BarDelegate.h"

#include "widgets/StatusColors.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

void BarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                        const QModelIndex &index) const
{
    const QVariant fraction = index.data(FractionRole);
    if (!fraction.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    // The figure beside the bar rather than on it: text over a half-filled bar reads badly.
    const QString text = index.data(Qt::DisplayRole).toString();
    const QRect cell = option.rect.adjusted(3, 3, -3, -3);
    const int textWidth = option.fontMetrics.horizontalAdvance(text) + 6;
    QStyleOptionProgressBar bar;
    bar.rect = cell.adjusted(0, 2, -textWidth, -2);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = qBound(0, qRound(fraction.toDouble() * 1000), 1000);
    bar.textVisible = false;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    // High load reads at a glance: amber above 80 %, red above 95 %.
    const double f = fraction.toDouble();
    if (f > 0.95)
        bar.palette.setColor(QPalette::Highlight,
                             StatusColors::text(StatusColors::Tone::Error, option.palette));
    else if (f > 0.8)
        bar.palette.setColor(QPalette::Highlight,
                             StatusColors::text(StatusColors::Tone::Warning, option.palette));
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    painter->save();
    painter->setPen(option.palette.color(
        option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(cell, Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

QSize BarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(qMax(size.height(), option.fontMetrics.height() + 8));
    size.setWidth(size.width() + 40);
    return size;
}
