#pragma once

#include <QIcon>
#include <QString>

// The window's icons, from resources/icons/NAME.svg. Without Qt's SVG plugin (libqt6svg6) the
// style's own icons stand in, so a missing plugin never leaves a button blank. Icons are made once
// per name and shared (GUI thread only).
namespace Icons {

QIcon get(const QString &name);

} // namespace Icons
