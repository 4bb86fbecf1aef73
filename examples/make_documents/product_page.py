"""Example document 17: a product web page."""

PRODUCT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Solvik AeroSense 3 – Solvik Instruments GmbH</title>
  <style>
    body { font-family: Arial, sans-serif; margin: 0; color: #1d2a33; }
    nav ul { display: flex; gap: 1.5rem; list-style: none; background: #0b3954; padding: 1rem; }
    nav a { color: #ffffff; text-decoration: none; }
    article { max-width: 48rem; margin: 2rem auto; line-height: 1.6; }
    footer { font-size: 0.8rem; background: #eef2f5; padding: 1rem; }
  </style>
  <script>
    window.dataLayer = window.dataLayer || [];
    function trackClick(label) { window.dataLayer.push({ event: "click", label: label }); }
  </script>
</head>
<body>
  <nav>
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/shop">Shop all sensors</a></li>
      <li><a href="/support">Support centre</a></li>
      <li><a href="/blog">Our blog</a></li>
      <li><a href="/contact">Contact us</a></li>
    </ul>
  </nav>
  <main>
    <article>
      <h1>Solvik AeroSense 3 indoor air quality monitor</h1>
      <p>Solvik Instruments GmbH released the AeroSense 3 in Munich on 22 April 2026. It is the third generation of
      the indoor air quality monitor that the company makes at its factory in Munich. It measures carbon dioxide,
      fine particles, humidity and volatile organic compounds, and shows the air quality of a room on a small
      e-paper display that can be read from across the room.</p>
      <p>The monitor goes on sale on 12 May 2026 at a price of €349 including VAT. Schools and offices that order
      more than twenty units receive a discount of 15 per cent, and every monitor comes with a three-year
      warranty.</p>
      <p>Dr. Katrin Aumüller, who leads product development at Solvik, says the new model uses a laser particle
      sensor that lasts twice as long as the one in the AeroSense 2. A single battery charge now runs the monitor
      for nine months, and readings can be sent to building management systems over Wi-Fi or Thread.</p>
      <p>The AeroSense 3 was tested for a year in classrooms in Munich and Vienna before its release. Teachers in the
      trial opened windows more often when the display turned amber, and the average carbon dioxide level in the
      rooms fell by a quarter.</p>
      <h2>Technical data</h2>
      <table>
        <tr><th>Sensors</th><td>CO2 (NDIR), PM2.5, humidity, VOC</td></tr>
        <tr><th>Battery life</th><td>nine months</td></tr>
        <tr><th>Size</th><td>110 × 110 × 32 mm</td></tr>
      </table>
    </article>
  </main>
  <footer>
    <p>© 2026 Solvik Instruments GmbH. All rights reserved. Imprint · Privacy policy · Terms of sale</p>
    <p>We use cookies to improve your experience and to measure visits to this site. By continuing to browse you
    accept our use of cookies. <a href="/cookies">Manage cookie settings</a></p>
  </footer>
  <script>document.querySelectorAll("nav a").forEach(a => a.addEventListener("click", () => trackClick(a.href)));
  </script>
</body>
</html>
"""
"""A product page with the noise a real one has: style, script, navigation, footer and cookie notice."""
