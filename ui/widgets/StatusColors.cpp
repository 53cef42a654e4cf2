#include "widgets/StatusColors.h"

#include <QPalette>
#include <QWidget>

#include <cmath>

namespace StatusColors {

namespace {

constexpr double kReadable = 4.5; // WCAG AA for body text

double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &c)
{
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

struct Hue
{
    int hue;           // degrees
    double saturation; // 0..1
};

Hue hueOf(Tone tone)
{
    switch (tone) {
    case Tone::Error: return {355, 0.75};
    case Tone::Warning: return {35, 0.95};
    case Tone::Ok: return {135, 0.55};
    }
    return {0, 0};
}

} // namespace

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QColor text(Tone tone, const QPalette &palette)
{
    const QColor window = palette.color(QPalette::Window);
    const QColor base = palette.color(QPalette::Base);
    const bool dark = luminance(window) < 0.18;
    const Hue h = hueOf(tone);
    // From a mid lightness away from the background until it reads on both backgrounds.
    const double step = dark ? 0.02 : -0.02;
    QColor best;
    for (double l = 0.5; l >= 0.0 && l <= 1.0; l += step) {
        const QColor c = QColor::fromHslF(h.hue / 360.0, h.saturation, l);
        best = c;
        if (contrast(c, window) >= kReadable && contrast(c, base) >= kReadable)
            break;
    }
    return best;
}

QColor tint(Tone tone, const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor hue = QColor::fromHslF(hueOf(tone).hue / 360.0, hueOf(tone).saturation, 0.5);
    // A quarter of the hue over the base keeps the palette's Text readable on it.
    constexpr double share = 0.25;
    return QColor::fromRgbF(static_cast<float>(base.redF() * (1 - share) + hue.redF() * share),
                            static_cast<float>(base.greenF() * (1 - share) + hue.greenF() * share),
                            static_cast<float>(base.blueF() * (1 - share) + hue.blueF() * share));
}

QString styleSheet(Tone tone, const QWidget *widget)
{
    return QStringLiteral("color: %1;").arg(text(tone, widget->palette()).name());
}

} // namespace StatusColors
