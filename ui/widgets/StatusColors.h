#pragma once

#include <QColor>
#include <QString>

class QPalette;
class QWidget;

// The one place that says which colour an error, a warning or an "ok" is drawn in. The colours
// are derived from the palette they are drawn on: a red, amber or green hue at a lightness that
// reads on the palette's window and base colours (WCAG contrast 4.5:1), so that dark themes work.
namespace StatusColors {

enum class Tone { Error, Warning, Ok };

// Text in this tone on the palette's Window and Base backgrounds.
QColor text(Tone tone, const QPalette &palette);
// A faint background in this tone under the palette's Text colour (a field that found nothing).
QColor tint(Tone tone, const QPalette &palette);
// "color: …;" for a style sheet, from the widget's palette.
QString styleSheet(Tone tone, const QWidget *widget);
// WCAG 2 contrast ratio of two colours, 1 to 21.
double contrast(const QColor &a, const QColor &b);

} // namespace StatusColors
