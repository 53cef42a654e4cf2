#include "log/FindBar.h"

#include "widgets/Icons.h"
#include "widgets/StatusColors.h"
#include <QCheckBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

FindBar::FindBar(QWidget *parent)
    : QWidget(parent),
      m_edit(new QLineEdit(this)),
      m_caseSensitive(new QCheckBox(tr("Match &case"), this))
{
    setObjectName(QStringLiteral("findBar"));
    m_edit->setObjectName(QStringLiteral("findEdit"));
    m_edit->setAccessibleName(tr("Find in the log"));
    m_edit->setPlaceholderText(tr("Find in the log"));
    m_edit->setClearButtonEnabled(true);
    m_edit->installEventFilter(this);

    auto *previous = new QToolButton(this);
    previous->setObjectName(QStringLiteral("findPrevious"));
    previous->setIcon(Icons::get(QStringLiteral("go-up")));
    previous->setToolTip(tr("Previous match (Shift+Enter)"));
    auto *next = new QToolButton(this);
    next->setObjectName(QStringLiteral("findNext"));
    next->setIcon(Icons::get(QStringLiteral("go-down")));
    next->setToolTip(tr("Next match (Enter)"));
    auto *close = new QToolButton(this);
    close->setIcon(Icons::get(QStringLiteral("close")));
    close->setToolTip(tr("Close the find bar (Esc)"));
    close->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 2);
    auto *label = new QLabel(tr("&Find:"), this);
    label->setBuddy(m_edit);
    layout->addWidget(label);
    layout->addWidget(m_edit, 1);
    layout->addWidget(previous);
    layout->addWidget(next);
    layout->addWidget(m_caseSensitive);
    layout->addWidget(close);

    connect(m_edit, &QLineEdit::returnPressed, this, [this]() { emit findRequested(false); });
    connect(m_edit, &QLineEdit::textChanged, this, [this]() { emit findRequested(false); });
    connect(previous, &QToolButton::clicked, this, [this]() { emit findRequested(true); });
    connect(next, &QToolButton::clicked, this, [this]() { emit findRequested(false); });
    connect(close, &QToolButton::clicked, this, [this]() {
        hide();
        emit closed();
    });
}

QString FindBar::text() const
{
    return m_edit->text();
}

QTextDocument::FindFlags FindBar::flags(bool backward) const
{
    QTextDocument::FindFlags flags;
    if (backward)
        flags |= QTextDocument::FindBackward;
    if (m_caseSensitive->isChecked())
        flags |= QTextDocument::FindCaseSensitively;
    return flags;
}

void FindBar::open()
{
    show();
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void FindBar::setFound(bool found)
{
    m_edit->setStyleSheet(
        found || m_edit->text().isEmpty()
            ? QString()
            : QStringLiteral("QLineEdit { background: %1; }")
                  .arg(StatusColors::tint(StatusColors::Tone::Error, m_edit->palette()).name()));
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit) {
        // Esc here closes the bar; it must not reach the window's Stop shortcut.
        if (event->type() == QEvent::ShortcutOverride
            && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape) {
            event->accept();
            return true;
        }
        if (event->type() == QEvent::KeyPress) {
            const auto *key = static_cast<QKeyEvent *>(event);
            if (key->key() == Qt::Key_Escape) {
                hide();
                emit closed();
                return true;
            }
            if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)
                && (key->modifiers() & Qt::ShiftModifier)) {
                emit findRequested(true);
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}
