window.__THAR_CONFIG = {
  "userInfo": {
    "accountId": "100",
    "userName": "AnaLima",
    "displayName": "Ana Lima"
  }
}