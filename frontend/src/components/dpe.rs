//! The DPE (diagnostic de performance énergétique) scales A–G in their official colours, with the
//! listing's class marked, and the legal mention for classes F and G.

use atlas_shared_types::annonce::EnergyClass;
use leptos::prelude::*;

/// The legal mention of « passoires énergétiques » (classes F and G), PRODUCT.md §2.
pub const ENERGY_WARNING_MENTION: &str = "Logement à consommation énergétique excessive";

pub const CLASSES: [EnergyClass; 7] =
    [EnergyClass::A, EnergyClass::B, EnergyClass::C, EnergyClass::D, EnergyClass::E, EnergyClass::F, EnergyClass::G];

/// Which of the two scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpeScale {
    /// Consommation d'énergie (kWh/m²/an).
    Energy,
    /// Émissions de gaz à effet de serre (kg CO₂/m²/an).
    Climate,
}

pub fn class_letter(c: EnergyClass) -> &'static str {
    match c {
        EnergyClass::A => "A",
        EnergyClass::B => "B",
        EnergyClass::C => "C",
        EnergyClass::D => "D",
        EnergyClass::E => "E",
        EnergyClass::F => "F",
        EnergyClass::G => "G",
        EnergyClass::NotSubject => "Non soumis",
    }
}

/// Label of a class in a select or a table.
#[allow(dead_code, reason = "for selects of other screens")]
pub fn class_label(c: Option<EnergyClass>) -> &'static str {
    match c {
        None => "Non renseigné",
        Some(EnergyClass::NotSubject) => "Non soumis au DPE",
        Some(c) => class_letter(c),
    }
}

/// Official colours of the 2021 DPE labels (background, text).
pub fn class_colors(scale: DpeScale, c: EnergyClass) -> (&'static str, &'static str) {
    match scale {
        DpeScale::Energy => match c {
            EnergyClass::A => ("#009c6d", "#ffffff"),
            EnergyClass::B => ("#52b153", "#ffffff"),
            EnergyClass::C => ("#78bd76", "#172033"),
            EnergyClass::D => ("#f4e70f", "#172033"),
            EnergyClass::E => ("#f0b40f", "#172033"),
            EnergyClass::F => ("#eb8235", "#172033"),
            EnergyClass::G => ("#d7221f", "#ffffff"),
            EnergyClass::NotSubject => ("#dde2ec", "#172033"),
        },
        DpeScale::Climate => match c {
            EnergyClass::A => ("#a4dbf8", "#172033"),
            EnergyClass::B => ("#8cb4d3", "#172033"),
            EnergyClass::C => ("#7792b1", "#ffffff"),
            EnergyClass::D => ("#606f8f", "#ffffff"),
            EnergyClass::E => ("#4d5271", "#ffffff"),
            EnergyClass::F => ("#393551", "#ffffff"),
            EnergyClass::G => ("#281b35", "#ffffff"),
            EnergyClass::NotSubject => ("#dde2ec", "#172033"),
        },
    }
}

/// Thresholds printed on each band (2021 scale, per m² and per year).
pub fn class_range(scale: DpeScale, c: EnergyClass) -> &'static str {
    match scale {
        DpeScale::Energy => match c {
            EnergyClass::A => "≤ 70",
            EnergyClass::B => "71 à 110",
            EnergyClass::C => "111 à 180",
            EnergyClass::D => "181 à 250",
            EnergyClass::E => "251 à 330",
            EnergyClass::F => "331 à 420",
            EnergyClass::G => "> 420",
            EnergyClass::NotSubject => "",
        },
        DpeScale::Climate => match c {
            EnergyClass::A => "≤ 6",
            EnergyClass::B => "7 à 11",
            EnergyClass::C => "12 à 30",
            EnergyClass::D => "31 à 50",
            EnergyClass::E => "51 à 70",
            EnergyClass::F => "71 à 100",
            EnergyClass::G => "> 100",
            EnergyClass::NotSubject => "",
        },
    }
}

/// F and G carry the legal mention.
pub fn is_excessive(c: Option<EnergyClass>) -> bool {
    matches!(c, Some(EnergyClass::F | EnergyClass::G))
}

/// A small coloured badge of the energy class (lists).
#[component]
pub fn DpeBadge(class: Option<EnergyClass>) -> impl IntoView {
    class.filter(|c| *c != EnergyClass::NotSubject).map(|c| {
        let (bg, fg) = class_colors(DpeScale::Energy, c);
        view! {
            <span class="dpe-badge" style=format!("background:{bg};color:{fg}")
                title=format!("Classe énergie {}", class_letter(c)) data-testid="dpe-badge">
                {class_letter(c)}
            </span>
        }
    })
}

/// The mention for F/G listings (nothing otherwise).
#[component]
pub fn EnergyWarning(class: Option<EnergyClass>, #[prop(optional)] compact: bool) -> impl IntoView {
    is_excessive(class).then(|| {
        view! {
            <p class="energy-warning" class:energy-warning--compact=compact role="note" data-testid="energy-warning">
                <span aria-hidden="true">"⚠ "</span>
                {ENERGY_WARNING_MENTION}
            </p>
        }
    })
}

/// One scale, A at the top (shortest band) to G (longest), the listing's class enlarged and
/// pointed at.
#[component]
pub fn DpeScaleView(scale: DpeScale, class: Option<EnergyClass>) -> impl IntoView {
    let (title, unit, testid) = match scale {
        DpeScale::Energy => ("Consommation énergétique", "kWh/m²/an", "dpe-energy"),
        DpeScale::Climate => ("Émissions de gaz à effet de serre", "kg CO₂/m²/an", "dpe-climate"),
    };
    let summary = match class {
        None => format!("{title} : classe non renseignée"),
        Some(EnergyClass::NotSubject) => format!("{title} : non soumis au DPE"),
        Some(c) => format!("{title} : classe {}", class_letter(c)),
    };
    let aria = summary.clone();
    let (w, row, gap) = (350.0_f64, 26.0_f64, 4.0_f64);
    let h = CLASSES.len() as f64 * (row + gap);
    let bands = CLASSES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (bg, fg) = class_colors(scale, *c);
            let selected = class == Some(*c);
            let y = i as f64 * (row + gap);
            let bw = 90.0 + i as f64 * 22.0;
            let arrow = 10.0;
            let path = format!("M0 {y} L{bw} {y} L{} {} L{bw} {} L0 {} Z", bw + arrow, y + row / 2.0, y + row, y + row);
            let range = class_range(scale, *c);
            view! {
                <g class="dpe-band" class:dpe-band--selected=selected>
                    <path d=path fill=bg stroke=if selected { "#172033" } else { "none" } stroke-width="2" />
                    <text x="8" y=y + row / 2.0 dy="0.35em" fill=fg class="dpe-letter">{class_letter(*c)}</text>
                    <text x="28" y=y + row / 2.0 dy="0.35em" fill=fg class="dpe-range">{range}</text>
                    {selected.then(|| view! {
                        <g>
                            <path d=format!("M{} {} l12 -9 l0 18 Z", bw + arrow + 10.0, y + row / 2.0) fill="#172033" />
                            <text x=bw + arrow + 28.0 y=y + row / 2.0 dy="0.35em" class="dpe-marker">
                                {format!("Classe {}", class_letter(*c))}
                            </text>
                        </g>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="dpe" data-testid=testid data-class=class.map(class_letter).unwrap_or("")>
            <figcaption>
                <strong>{title}</strong>
                <span class="muted">" (" {unit} ")"</span>
            </figcaption>
            <svg class="dpe-scale" viewBox=format!("0 0 {w} {h}") role="img" aria-label=aria>
                <title>{summary}</title>
                {bands}
            </svg>
            {(class == Some(EnergyClass::NotSubject)).then(|| view! {
                <p class="muted">"Bien non soumis au DPE."</p>
            })}
            {class.is_none().then(|| view! {
                <p class="muted">"Classe non renseignée."</p>
            })}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_and_g_are_excessive() {
        assert!(is_excessive(Some(EnergyClass::F)));
        assert!(is_excessive(Some(EnergyClass::G)));
        assert!(!is_excessive(Some(EnergyClass::E)));
        assert!(!is_excessive(Some(EnergyClass::NotSubject)));
        assert!(!is_excessive(None));
    }

    #[test]
    fn every_class_has_a_colour_and_a_range() {
        for c in CLASSES {
            for s in [DpeScale::Energy, DpeScale::Climate] {
                assert!(class_colors(s, c).0.starts_with('#'));
                assert!(!class_range(s, c).is_empty());
            }
        }
        assert_eq!(class_colors(DpeScale::Energy, EnergyClass::G).0, "#d7221f");
    }
}
